"""Worker lifecycle through the Python API (spec §4, §10.5, §10.6): WorkerStatus, named registration,
suspend/resume/shutdown/heartbeat/interrupt, dequeue_at and release_with_visibility."""

from __future__ import annotations

import pickle
import uuid
from datetime import datetime, timedelta, timezone

import pytest

import pgqrs
from pgqrs import WorkerStatus


def iso(dt: datetime) -> str:
    return dt.isoformat()


def test_worker_status_is_a_simple_enum():
    members = [WorkerStatus.Ready, WorkerStatus.Polling, WorkerStatus.Suspended, WorkerStatus.Interrupted,
               WorkerStatus.Stopped]
    assert len(set(members)) == 5
    assert WorkerStatus.Ready == WorkerStatus.Ready
    assert WorkerStatus.Ready != WorkerStatus.Stopped
    assert WorkerStatus.Ready != "ready"
    assert repr(WorkerStatus.Ready) == "WorkerStatus.Ready"
    assert str(WorkerStatus.Suspended) == "WorkerStatus.Suspended"
    assert {WorkerStatus.Polling: 1}[WorkerStatus.Polling] == 1
    assert pickle.loads(pickle.dumps(WorkerStatus.Interrupted)) is WorkerStatus.Interrupted
    import enum

    assert not isinstance(WorkerStatus.Ready, enum.Enum)
    with pytest.raises(TypeError):
        WorkerStatus()


async def test_a_new_consumer_is_ready_and_walks_the_state_machine(store, queue):
    c = await store.consumer(queue)
    assert await c.status() == WorkerStatus.Ready
    await c.heartbeat()
    await c.suspend()
    assert await c.status() == WorkerStatus.Suspended
    await c.resume()
    assert await c.status() == WorkerStatus.Ready
    await c.suspend()
    await c.shutdown()
    assert await c.status() == WorkerStatus.Stopped


async def test_producers_have_the_lifecycle_too(store, queue):
    p = await store.producer(queue)
    assert await p.status() == WorkerStatus.Ready
    await p.suspend()
    await p.shutdown()
    assert await p.status() == WorkerStatus.Stopped


async def test_illegal_transitions_raise_state_transition_error(store, queue):
    c = await store.consumer(queue)
    with pytest.raises(pgqrs.StateTransitionError) as err:
        await c.resume()
    assert str(err.value) == ("Invalid state transition from ready to ready: "
                              "Worker must be in Suspended state to resume")
    with pytest.raises(pgqrs.StateTransitionError, match="Worker must be in Suspended state to shutdown"):
        await c.shutdown()
    with pytest.raises(pgqrs.StateTransitionError, match="Worker must be in Polling state to be interrupted"):
        await c.interrupt()


async def test_use_after_shutdown_is_refused(store, queue):
    c = await store.consumer(queue)
    await c.suspend()
    await c.shutdown()
    with pytest.raises(pgqrs.StateTransitionError):
        await c.resume()
    with pytest.raises(pgqrs.StateTransitionError):
        await c.suspend()


async def test_shutdown_is_refused_while_the_consumer_holds_leases(store, queue):
    await pgqrs.produce(store, queue, {"a": 1})
    c = await store.consumer(queue)
    (m,) = await c.dequeue()
    await c.suspend()
    with pytest.raises(pgqrs.StateTransitionError, match="pending messages"):
        await c.shutdown()
    assert await c.archive(m.id) is True
    await c.shutdown()


async def test_new_producer_and_new_consumer_register_named_workers(store, queue):
    admin = pgqrs.admin(store)
    name = f"worker-{uuid.uuid4().hex[:8]}"
    p = pgqrs.Producer.new_producer(admin, queue, name + "-p")
    c = pgqrs.Consumer.new_consumer(admin, queue, name + "-c")
    assert isinstance(p, pgqrs.Producer) and isinstance(c, pgqrs.Consumer)
    msg_id = await p.enqueue({"x": 1})
    (m,) = await c.dequeue()
    assert m.id == msg_id
    workers = {w.id: w for w in await (await store.get_workers()).list()}
    assert workers[p.worker_id].name == name + "-p"
    assert workers[c.worker_id].name == name + "-c"


async def test_a_name_is_unique_while_active_and_reusable_once_stopped(store, queue):
    admin = pgqrs.admin(store)
    first = pgqrs.Consumer.new_consumer(admin, queue, "the-one")
    with pytest.raises(pgqrs.ValidationError,
                       match="Worker the-one is already active. Cannot register duplicate."):
        pgqrs.Consumer.new_consumer(admin, queue, "the-one")
    await first.suspend()
    with pytest.raises(pgqrs.ValidationError, match="Worker the-one is suspended. Use resume"):
        pgqrs.Consumer.new_consumer(admin, queue, "the-one")
    await first.shutdown()
    again = pgqrs.Consumer.new_consumer(admin, queue, "the-one")
    assert again.worker_id == first.worker_id
    assert await again.status() == WorkerStatus.Ready


async def test_new_consumer_errors(store, queue):
    admin = pgqrs.admin(store)
    with pytest.raises(pgqrs.QueueNotFoundError, match="Queue 'nope' not found"):
        pgqrs.Consumer.new_consumer(admin, "nope", "n")
    with pytest.raises(TypeError):
        pgqrs.Producer.new_producer(store, queue, "n")
    with pytest.raises(TypeError):
        pgqrs.Consumer.new_consumer(admin, queue, 42)
    with pytest.raises(RuntimeError, match="Direct Consumer creation is disabled"):
        pgqrs.Consumer()


async def test_dequeue_at_leases_what_is_ready_at_that_time(store, queue):
    producer = await store.producer(queue)
    consumer = await store.consumer(queue)
    await producer.enqueue_delayed({"a": 1}, 60)
    await producer.enqueue_delayed({"b": 2}, 60)
    assert await consumer.dequeue() == []
    later = datetime.now(timezone.utc) + timedelta(seconds=120)
    got = await consumer.dequeue_at(2, 1, iso(later))
    assert len(got) == 2
    for m in got:
        assert datetime.fromisoformat(m.vt) - later <= timedelta(seconds=1, milliseconds=1)


async def test_dequeue_at_and_release_with_visibility_reject_bad_timestamps(store, queue):
    consumer = await store.consumer(queue)
    for bad in ["yesterday", "2026-13-01T00:00:00Z", ""]:
        with pytest.raises(ValueError):
            await consumer.dequeue_at(1, 5, bad)
        with pytest.raises(ValueError):
            await consumer.release_with_visibility(1, bad)
    with pytest.raises(TypeError):
        await consumer.dequeue_at("one", 5, "2026-01-01T00:00:00Z")


async def test_release_with_visibility_makes_the_message_ready_at_that_time(store, queue):
    producer = await store.producer(queue)
    consumer = await store.consumer(queue)
    other = await store.consumer(queue)
    msg_id = await producer.enqueue({"a": 1})
    await consumer.dequeue()
    at = datetime.now(timezone.utc) + timedelta(hours=1)
    assert await other.release_with_visibility(msg_id, iso(at)) is False  # not the owner
    assert await consumer.release_with_visibility(msg_id, iso(at)) is True
    assert await consumer.release_with_visibility(msg_id, iso(at)) is False  # no longer held
    assert await other.dequeue() == []
    (m,) = await other.dequeue_at(1, 5, iso(at + timedelta(seconds=1)))
    assert m.id == msg_id and m.read_ct == 2


async def test_heartbeat_moves_heartbeat_at(store, queue):
    c = await store.consumer(queue)
    workers = await store.get_workers()
    before = (await workers.get(c.worker_id)).heartbeat_at
    await c.heartbeat()
    after = (await workers.get(c.worker_id)).heartbeat_at
    assert datetime.fromisoformat(after) >= datetime.fromisoformat(before)


async def test_heartbeat_of_a_deleted_worker_raises_worker_not_found(store, queue):
    c = await store.consumer(queue)
    assert await pgqrs.admin(store).delete_worker(c.worker_id) == 1
    with pytest.raises(pgqrs.WorkerNotFoundError):
        await c.heartbeat()
