"""Operations (docs/operations.md): automatic dead-lettering, the new metric fields, retention, workflow run
counts and the Prometheus exposition (parsed with prometheus_client's own text parser)."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

import pgqrs
from pgqrs import WorkflowStatus


async def _store_with(config, **settings) -> pgqrs.Store:
    for name, value in settings.items():
        setattr(config, name, value)
    return await pgqrs.connect_with(config)


async def test_a_release_at_the_read_limit_dead_letters_the_message(config, store, queue):
    s = await _store_with(config, max_read_ct=1)
    msg_id = await pgqrs.produce(s, queue, {"poison": True})
    consumer = await s.consumer(queue)
    (m,) = await consumer.dequeue()
    assert await consumer.release_messages([m.id]) == 1
    admin = pgqrs.admin(s)
    metrics = await admin.queue_metrics(queue)
    assert (metrics.total_messages, metrics.pending_messages, metrics.archived_messages) == (1, 0, 1)
    assert metrics.dead_lettered_messages == 1
    assert (await admin.system_stats()).dead_lettered_messages == 1
    assert await admin.dlq() == []  # nothing left for the admin
    (dead,) = await admin.list_dlq_messages(queue)
    assert dead.id == msg_id
    await admin.replay_dlq(msg_id)
    assert (await admin.queue_metrics(queue)).dead_lettered_messages == 0


async def test_delayed_messages_are_counted(store, queue):
    producer = await store.producer(queue)
    await producer.enqueue_delayed({"later": True}, 3600)
    await producer.enqueue({"now": True})
    m = await pgqrs.admin(store).queue_metrics(queue)
    assert (m.pending_messages, m.delayed_messages, m.locked_messages, m.dead_lettered_messages) == (2, 1, 0, 0)


async def test_retention_deletes_archived_messages_in_batches_and_stopped_workers(store, queue):
    ids = await pgqrs.produce_batch(store, queue, [{"i": i} for i in range(4)])
    consumer = await store.consumer(queue)
    leased = await consumer.dequeue(batch_size=3)
    assert len(leased) == 3
    assert await consumer.archive_many([m.id for m in leased]) == [True, True, True]
    idle = await store.consumer(queue)
    await idle.suspend()
    await idle.shutdown()
    admin = pgqrs.admin(store)
    # Age 0: everything archived (or stopped) before now qualifies; the live message and active workers stay.
    report = await admin.apply_retention(archived_older_than_seconds=0, batch_size=2)
    assert isinstance(report, pgqrs.RetentionReport)
    assert (report.archived_messages_deleted, report.workflow_runs_deleted, report.workers_deleted) == (3, 0, 0)
    report = await admin.apply_retention(stopped_workers_older_than_seconds=0, batch_size=1)
    assert report.workers_deleted == 1
    assert (await admin.queue_metrics(queue)).total_messages == 1
    assert [m.id for m in leased] == ids[:3]
    with pytest.raises(pgqrs.ValidationError):
        await admin.apply_retention(batch_size=0)
    with pytest.raises(pgqrs.ValidationError):
        await admin.apply_retention(finished_runs_older_than_seconds=-1)


async def test_run_counts_list_every_status(store):
    admin = pgqrs.admin(store)
    everything = {WorkflowStatus.Queued, WorkflowStatus.Running, WorkflowStatus.Paused, WorkflowStatus.Cancelling,
                  WorkflowStatus.Cancelled, WorkflowStatus.Success, WorkflowStatus.Error}
    assert await admin.run_counts_by_status() == {status: 0 for status in everything}
    await admin.create_workflow("ops_flow", {"x": 1})  # defines, triggers and materialises a QUEUED run
    counts = await admin.run_counts_by_status()
    assert counts == {status: int(status == WorkflowStatus.Queued) for status in everything}


async def test_the_exposition_parses_with_prometheus_client(config, store, queue):
    s = await _store_with(config, max_read_ct=1)
    odd = 'we"ird\\name\nq'
    await s.queue(odd)
    await pgqrs.produce_batch(s, queue, [{"i": i} for i in range(3)])
    consumer = await s.consumer(queue)
    (m,) = await consumer.dequeue()
    await consumer.release_messages([m.id])  # dead-lettered
    await consumer.dequeue()  # leased
    text = await pgqrs.metrics_exposition(s)
    def without_ages(t: str) -> list:
        return [line for line in t.splitlines() if not line.startswith("pgqrs_queue_oldest_pending")]

    assert without_ages(text) == without_ages(await pgqrs.admin(s).metrics_exposition())
    families = {f.name: f for f in text_string_to_metric_families(text)}
    assert set(families) == {
        "pgqrs_queue_pending_messages", "pgqrs_queue_ready_messages", "pgqrs_queue_leased_messages",
        "pgqrs_queue_delayed_messages", "pgqrs_queue_archived_messages", "pgqrs_queue_dead_lettered_messages",
        "pgqrs_queue_oldest_pending_message_age_seconds", "pgqrs_workers", "pgqrs_workflow_runs"}
    assert all(f.type == "gauge" and f.documentation for f in families.values())

    def value(family: str, **labels: str) -> float:
        (sample,) = [x for x in families[family].samples if x.labels == labels]
        return sample.value

    assert value("pgqrs_queue_pending_messages", queue=queue) == 1
    assert value("pgqrs_queue_ready_messages", queue=queue) == 1
    assert value("pgqrs_queue_leased_messages", queue=queue) == 1
    assert value("pgqrs_queue_dead_lettered_messages", queue=queue) == 1
    assert value("pgqrs_queue_archived_messages", queue=queue) == 1
    assert value("pgqrs_queue_delayed_messages", queue=queue) == 0
    assert value("pgqrs_queue_pending_messages", queue=odd) == 0  # the label came back unescaped
    assert value("pgqrs_queue_oldest_pending_message_age_seconds", queue=queue) >= 0
    assert value("pgqrs_workers", status="ready") == 1
    assert value("pgqrs_workflow_runs", status="SUCCESS") == 0
