"""Queues, producers, consumers and messages through the async API, on every backend."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest

import pgqrs


def parse(ts: str) -> datetime:
    assert ts.endswith("+00:00"), ts
    return datetime.fromisoformat(ts)


async def test_install_is_idempotent_and_verify_passes(store):
    admin = pgqrs.admin(store)
    await admin.install()
    await admin.verify()
    await pgqrs.Admin(store).verify()
    await store.bootstrap()


async def test_queue_returns_queue_info(store):
    info = await store.queue("emails")
    assert isinstance(info, pgqrs.QueueInfo)
    assert info.id >= 1
    assert info.queue_name == "emails"


async def test_duplicate_queue_raises_queue_already_exists(store, queue):
    with pytest.raises(pgqrs.QueueAlreadyExistsError) as err:
        await store.queue(queue)
    assert isinstance(err.value, pgqrs.PgqrsError)
    assert str(err.value) == f"Queue '{queue}' already exists"


async def test_unknown_queue_raises_queue_not_found(store):
    with pytest.raises(pgqrs.QueueNotFoundError, match="Queue 'missing' not found"):
        await store.producer("missing")
    with pytest.raises(pgqrs.QueueNotFoundError):
        await store.consumer("missing")
    with pytest.raises(pgqrs.QueueNotFoundError):
        await pgqrs.produce(store, "missing", {"a": 1})
    with pytest.raises(pgqrs.QueueNotFoundError):
        await pgqrs.admin(store).delete_queue("missing")


async def test_delete_queue_removes_an_unused_queue(store, queue):
    assert await pgqrs.admin(store).delete_queue(queue) is True
    with pytest.raises(pgqrs.QueueNotFoundError):
        await store.producer(queue)


async def test_delete_queue_in_use_raises_validation_error(store, queue):
    await store.producer(queue)
    with pytest.raises(pgqrs.ValidationError):
        await pgqrs.admin(store).delete_queue(queue)


async def test_workers_are_named_after_the_host(store, queue):
    producer = await store.producer(queue)
    consumer = await store.consumer(queue)
    assert producer.worker_id != consumer.worker_id
    assert producer.worker_id > 0 and consumer.worker_id > 0


async def test_enqueue_dequeue_archive_round_trip(store, queue):
    producer = await store.producer(queue)
    consumer = await store.consumer(queue)
    payload = {"to": "a@example.com", "n": 7, "big": 2**62, "pi": 3.25, "ok": True, "none": None,
               "list": [1, "two", {"three": 3}], "text": "grüße ✓"}
    msg_id = await producer.enqueue(payload)
    assert isinstance(msg_id, int)

    messages = await consumer.dequeue()
    assert len(messages) == 1
    m = messages[0]
    assert isinstance(m, pgqrs.QueueMessage)
    assert m.id == msg_id
    assert m.payload == payload
    assert m.read_ct == 1
    assert m.producer_worker_id == producer.worker_id
    assert m.consumer_worker_id == consumer.worker_id
    assert m.archived_at is None
    enqueued, vt, dequeued = parse(m.enqueued_at), parse(m.vt), parse(m.dequeued_at)
    assert dequeued >= enqueued
    # the default lease is 30 s
    assert timedelta(seconds=29) < vt - dequeued <= timedelta(seconds=31)

    assert await consumer.archive(msg_id) is True
    assert await consumer.dequeue() == []
    assert await consumer.archive(msg_id) is False


async def test_payload_with_input_key_reads_as_its_input(store, queue):
    producer = await store.producer(queue)
    consumer = await store.consumer(queue)
    await producer.enqueue({"input": {"x": 1}})
    (m,) = await consumer.dequeue()
    assert m.payload == {"x": 1}


async def test_scalar_and_list_payloads(store, queue):
    producer = await store.producer(queue)
    consumer = await store.consumer(queue)
    for p in ["text", 42, [1, 2], None]:
        await producer.enqueue(p)
    got = await consumer.dequeue(4)
    assert [m.payload for m in got] == ["text", 42, [1, 2], None]


async def test_dequeue_batch_and_many_acknowledgements(store, queue):
    producer = await store.producer(queue)
    consumer = await store.consumer(queue)
    ids = await pgqrs.enqueue_batch(producer, [{"i": i} for i in range(4)])
    assert len(ids) == 4 and ids == sorted(ids)
    got = await consumer.dequeue(10)
    assert sorted(m.id for m in got) == ids
    assert await consumer.archive_many([ids[0], ids[1]]) == [True, True]
    assert await consumer.delete_many([ids[2], ids[3], ids[0]]) == [True, True, False]


async def test_acknowledgements_by_another_consumer_are_refused(store, queue):
    producer = await store.producer(queue)
    owner = await store.consumer(queue)
    other = await store.consumer(queue)
    msg_id = await producer.enqueue({"a": 1})
    await owner.dequeue()
    assert await other.archive(msg_id) is False
    assert await other.delete(msg_id) is False
    assert await other.extend_vt(msg_id, 10) is False
    assert await owner.delete(msg_id) is True
    assert await owner.delete(msg_id) is False
    assert await owner.delete(10**9) is False


async def test_extend_vt_and_release_messages(store, queue):
    producer = await store.producer(queue)
    consumer = await store.consumer(queue)
    msg_id = await producer.enqueue({"a": 1})
    (m,) = await consumer.dequeue_many_with_delay(1, 5)
    assert parse(m.vt) - parse(m.dequeued_at) <= timedelta(seconds=6)
    assert await consumer.extend_vt(msg_id, 60) is True
    assert await consumer.release_messages([msg_id]) == 1
    (again,) = await consumer.dequeue()
    assert again.id == msg_id and again.read_ct == 2


async def test_delayed_message_is_not_ready_yet(store, queue):
    producer = await store.producer(queue)
    consumer = await store.consumer(queue)
    msg_id = await producer.enqueue_delayed({"later": True}, 3600)
    assert isinstance(msg_id, int)
    assert await consumer.dequeue() == []


async def test_module_level_functions(store, queue):
    producer = await store.producer(queue)
    consumer = await store.consumer(queue)
    a = await pgqrs.enqueue(producer, {"a": 1})
    b = await pgqrs.enqueue_delayed(producer, {"b": 2}, 3600)
    c = await pgqrs.produce(store, queue, {"c": 3})
    d, e = await pgqrs.produce_batch(store, queue, [{"d": 4}, {"e": 5}])
    assert len({a, b, c, d, e}) == 5
    got = await pgqrs.dequeue(consumer, 10)
    assert sorted(m.id for m in got) == sorted([a, c, d, e])
    by_id = {m.id: m for m in got}
    assert by_id[c].producer_worker_id is None  # produce() registers no producer
    assert await pgqrs.archive(consumer, by_id[a]) is True
    assert await pgqrs.archive(consumer, by_id[a]) is True  # always True, as the original
    assert await pgqrs.extend_vt(consumer, by_id[c], 5) is True
    assert await pgqrs.delete(consumer, by_id[c]) is True
    assert await pgqrs.archive_batch(consumer, [by_id[d], by_id[e]]) is True
    assert await consumer.dequeue() == []


async def test_non_json_payloads_are_rejected_before_enqueue(store, queue):
    producer = await store.producer(queue)
    consumer = await store.consumer(queue)
    with pytest.raises(TypeError):
        await producer.enqueue({"when": datetime.now()})
    with pytest.raises(TypeError):
        await pgqrs.produce(store, queue, object())
    with pytest.raises(ValueError):
        await producer.enqueue({"x": float("nan")})
    with pytest.raises(ValueError):
        await pgqrs.enqueue_batch(producer, [{"ok": 1}, float("inf")])
    assert await consumer.dequeue(10) == []


async def test_payload_validation_errors(store, queue):
    producer = await store.producer(queue)
    with pytest.raises(pgqrs.ValidationError):
        await producer.enqueue({"__proto__": 1})
    with pytest.raises(pgqrs.ValidationError):
        await producer.enqueue({"s": "x" * 2000})  # max_string_length 1024


async def test_invalid_batch_size_raises_validation_error(store, queue):
    consumer = await store.consumer(queue)
    with pytest.raises(pgqrs.ValidationError):
        await consumer.dequeue(0)
    with pytest.raises(pgqrs.ValidationError):
        await consumer.dequeue(101)  # default_max_batch_size 100


async def test_rate_limit_raises_rate_limited_with_retry_after(config):
    config.max_enqueue_per_second = 1
    config.max_enqueue_burst = 2
    store = await pgqrs.connect_with(config)
    await pgqrs.admin(store).install()
    await store.queue("limited")
    producer = await store.producer("limited")
    await producer.enqueue(1)
    await producer.enqueue(2)
    with pytest.raises(pgqrs.RateLimitedError) as err:
        await producer.enqueue(3)
    assert err.value.retry_after > 0


async def test_rate_limit_off_accepts_large_batches(config):
    config.max_enqueue_per_second = None
    config.max_enqueue_burst = None
    store = await pgqrs.connect_with(config)
    await pgqrs.admin(store).install()
    await store.queue("unlimited")
    producer = await store.producer("unlimited")
    ids = await pgqrs.enqueue_batch(producer, list(range(200)))
    assert len(ids) == 200


async def test_concurrent_consumers_never_share_a_message(store, queue):
    producer = await store.producer(queue)
    ids = await pgqrs.enqueue_batch(producer, [{"i": i} for i in range(40)])
    consumers = [await store.consumer(queue) for _ in range(4)]

    async def drain(c):
        seen = []
        while batch := await c.dequeue(3):
            seen += [m.id for m in batch]
            await c.archive_many([m.id for m in batch])
        return seen

    results = await asyncio.gather(*(drain(c) for c in consumers))
    flat = [i for r in results for i in r]
    assert sorted(flat) == ids
