"""Admin beyond install/verify/delete_queue (spec §4.4, §4.5, §5): release, reclaim, DLQ and replay, purge,
worker and queue statistics."""

from __future__ import annotations

import pytest

import pgqrs
from pgqrs import WorkerStatus


async def test_release_worker_messages(store, queue):
    await pgqrs.produce_batch(store, queue, [{"i": i} for i in range(3)])
    consumer = await store.consumer(queue)
    assert len(await consumer.dequeue(3)) == 3
    admin = pgqrs.admin(store)
    assert await admin.release_worker_messages(consumer.worker_id) == 3
    assert await admin.release_worker_messages(consumer.worker_id) == 0
    assert len(await (await store.consumer(queue)).dequeue(3)) == 3


async def test_reclaim_messages_leaves_live_workers_alone(store, queue):
    await pgqrs.produce(store, queue, {"a": 1})
    consumer = await store.consumer(queue)
    (m,) = await consumer.dequeue()
    admin = pgqrs.admin(store)
    assert await admin.reclaim_messages(m.queue_id) == 0
    assert await admin.reclaim_messages(m.queue_id, 3600) == 0
    assert await consumer.status() == WorkerStatus.Ready


async def test_dlq_and_replay(config, store, queue):
    config.max_read_ct = 1
    s = await pgqrs.connect_with(config)
    msg_id = await pgqrs.produce(s, queue, {"poison": True})
    consumer = await s.consumer(queue)
    await consumer.dequeue()
    admin = pgqrs.admin(s)
    # Still leased: releasing it would dead-letter it at once (docs/operations.md); dlq() takes leased poison.
    assert await admin.dlq() == [msg_id]
    (dead,) = await admin.list_dlq_messages(queue)
    assert dead.id == msg_id and dead.archived_at is not None
    replayed = await admin.replay_dlq(msg_id)
    assert replayed.id == msg_id and replayed.read_ct == 0 and replayed.archived_at is None
    assert await admin.replay_dlq(msg_id) is None  # not archived any more
    assert await admin.replay_dlq(10**9) is None
    (again,) = await consumer.dequeue()
    assert again.id == msg_id
    assert await consumer.archive(msg_id)
    producer = await s.producer(queue)
    assert (await producer.replay_dlq(msg_id)).id == msg_id
    with pytest.raises(pgqrs.QueueNotFoundError):
        await admin.list_dlq_messages("missing")


async def test_purge_queue_removes_messages_and_workers(store, queue):
    await pgqrs.produce_batch(store, queue, [{"i": i} for i in range(2)])
    await store.consumer(queue)
    admin = pgqrs.admin(store)
    assert await admin.purge_queue(queue) == 2
    assert await (await store.get_workers()).count() == 0
    await admin.delete_queue(queue)
    with pytest.raises(pgqrs.QueueNotFoundError):
        await admin.purge_queue(queue)


async def test_worker_management(store, queue):
    admin = pgqrs.admin(store)
    consumer = await store.consumer(queue)
    producer = await store.producer(queue)
    workers = await admin.list_workers()
    assert {w.id for w in workers} == {consumer.worker_id, producer.worker_id}
    assert all(isinstance(w, pgqrs.WorkerInfo) for w in workers)
    msg_id = await producer.enqueue({"a": 1})
    await consumer.dequeue()
    assert [m.id for m in await admin.get_worker_messages(consumer.worker_id)] == [msg_id]
    with pytest.raises(pgqrs.ValidationError, match="references"):
        await admin.delete_worker(producer.worker_id)
    with pytest.raises(pgqrs.WorkerNotFoundError):
        await admin.delete_worker(10**9)
    idle = await store.consumer(queue)
    await idle.suspend()
    await idle.shutdown()
    assert await admin.purge_old_workers(0) == 1


async def test_worker_stats_and_health(store, queue):
    admin = pgqrs.admin(store)
    await store.consumer(queue)
    suspended = await store.consumer(queue)
    await suspended.suspend()
    stats = await admin.worker_stats(queue)
    assert isinstance(stats, pgqrs.WorkerStats)
    assert (stats.total_workers, stats.ready_workers, stats.suspended_workers) == (2, 1, 1)
    assert stats.average_messages_per_worker == 0.0
    assert stats.oldest_worker_age >= stats.newest_heartbeat_age >= 0
    assert str(stats).startswith("WorkerStats { total: 2, ready: 1,")
    (health,) = await admin.worker_health_stats()
    assert isinstance(health, pgqrs.WorkerHealthStats) and health.queue_name == "Global"
    with pytest.raises(pgqrs.QueueNotFoundError):
        await admin.worker_stats("missing")


async def test_queue_metrics_and_system_stats(store, queue):
    admin = pgqrs.admin(store)
    await pgqrs.produce_batch(store, queue, [{"i": i} for i in range(2)])
    m = await admin.queue_metrics(queue)
    assert (m.total_messages, m.pending_messages, m.locked_messages) == (2, 2, 0)
    assert [q.name for q in await admin.all_queues_metrics()] == [queue]
    st = await admin.system_stats()
    assert isinstance(st, pgqrs.SystemStats)
    assert (st.total_queues, st.total_messages, st.pending_messages, st.archived_messages) == (1, 2, 2, 0)
    assert int(st.schema_version) >= 1


async def test_create_and_get_queue(store):
    admin = pgqrs.admin(store)
    info = await admin.create_queue("made")
    assert (await admin.get_queue("made")).id == info.id
    with pytest.raises(pgqrs.QueueAlreadyExistsError):
        await admin.create_queue("made")
    with pytest.raises(pgqrs.QueueNotFoundError):
        await admin.get_queue("missing")


async def test_admin_argument_errors(store):
    admin = pgqrs.admin(store)
    with pytest.raises(TypeError):
        await admin.release_worker_messages("one")
    with pytest.raises(TypeError):
        pgqrs.Admin("store")
