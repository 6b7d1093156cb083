"""Table handles (spec §3.7, §10.9): Workers, Queues, Messages and WorkerInfo."""

from __future__ import annotations

from datetime import datetime

import pytest

import pgqrs
from pgqrs import WorkerStatus


async def test_table_handles_are_returned_by_the_store(store):
    assert isinstance(await store.get_workers(), pgqrs.Workers)
    assert isinstance(await store.get_queues(), pgqrs.Queues)
    assert isinstance(await store.get_messages(), pgqrs.Messages)
    with pytest.raises(RuntimeError):
        pgqrs.Workers()


async def test_workers_count_list_and_get(store, queue):
    workers = await store.get_workers()
    assert await workers.count() == 0
    p = await store.producer(queue)
    c = await store.consumer(queue)
    assert await workers.count() == 2
    listed = await workers.list()
    assert [w.id for w in listed] == [c.worker_id, p.worker_id]  # started_at DESC
    info = await workers.get(c.worker_id)
    assert isinstance(info, pgqrs.WorkerInfo)
    assert info.id == c.worker_id and info.status == WorkerStatus.Ready
    assert info.queue_id == (await (await store.get_queues()).list())[0].id
    assert datetime.fromisoformat(info.heartbeat_at) >= datetime.fromisoformat(info.started_at)
    assert info.shutdown_at is None
    assert "WorkerInfo(id=" in repr(info)
    with pytest.raises(pgqrs.WorkerNotFoundError):
        await workers.get(10**9)


async def test_worker_info_status_follows_the_state_machine(store, queue):
    c = await store.consumer(queue)
    await c.suspend()
    await c.shutdown()
    info = await (await store.get_workers()).get(c.worker_id)
    assert info.status == WorkerStatus.Stopped and info.shutdown_at is not None


async def test_workers_health_stats_and_purge_stale(store, queue):
    c = await store.consumer(queue)
    await store.producer(queue)
    workers = await store.get_workers()
    (glob,) = await workers.health_stats()
    assert glob.queue_name == "Global" and glob.total_workers == 2 and glob.ready_workers == 2
    assert glob.stale_workers == 0
    (per_queue,) = await workers.health_stats(60, True)
    assert per_queue.queue_name == queue
    await c.suspend()
    await c.shutdown()
    assert await workers.purge_stale(3600) == 0  # stopped, but beat a moment ago
    assert await workers.purge_stale(0) == 1
    assert await workers.count() == 1


async def test_queues_count_list_purge_and_metrics(store, queue):
    queues = await store.get_queues()
    await store.queue("second")
    assert await queues.count() == 2
    names = [q.queue_name for q in await queues.list()]
    assert sorted(names) == sorted([queue, "second"])
    await pgqrs.produce_batch(store, queue, [{"i": i} for i in range(3)])
    consumer = await store.consumer(queue)
    (m,) = await consumer.dequeue()
    m2 = (await consumer.dequeue())[0]
    assert await consumer.archive(m2.id)
    metrics = await queues.metrics(queue)
    assert isinstance(metrics, pgqrs.QueueMetrics)
    assert (metrics.name, metrics.total_messages, metrics.pending_messages, metrics.locked_messages,
            metrics.archived_messages) == (queue, 3, 1, 1, 1)
    assert datetime.fromisoformat(metrics.oldest_pending_message) <= datetime.fromisoformat(
        metrics.newest_message)
    listed = {q.name: q for q in await queues.list_metrics()}
    assert set(listed) == {queue, "second"}
    assert listed["second"].total_messages == 0 and listed["second"].newest_message is None
    with pytest.raises(pgqrs.QueueNotFoundError):
        await queues.metrics("missing")
    assert await queues.purge(queue) == 3
    assert (await queues.metrics(queue)).total_messages == 0
    with pytest.raises(pgqrs.QueueNotFoundError):
        await queues.purge("missing")


async def test_messages_count_excludes_archived_and_lists_archived_by_queue(store, queue):
    messages = await store.get_messages()
    ids = await pgqrs.produce_batch(store, queue, [{"i": i} for i in range(3)])
    assert await messages.count() == 3
    consumer = await store.consumer(queue)
    got = await consumer.dequeue(2)
    await consumer.archive_many([m.id for m in got])
    assert await messages.count() == 1
    archived = await messages.list_archived_by_queue(got[0].queue_id)
    assert sorted(m.id for m in archived) == sorted(m.id for m in got)
    assert all(m.archived_at is not None for m in archived)
    assert [m.id for m in await messages.list()] == [i for i in ids if i not in {m.id for m in got}]
    assert (await messages.get(ids[0])).id == ids[0]
    assert await messages.get(10**9) is None
    assert await messages.list_archived_by_queue(10**9) == []
    with pytest.raises(TypeError):
        await messages.list_archived_by_queue("q")
