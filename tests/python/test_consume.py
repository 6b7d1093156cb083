"""store.consume_iter(), consume() and consume_batch() (spec §3.9, §10.7)."""

from __future__ import annotations

import asyncio

import pytest

import pgqrs
from pgqrs import WorkerStatus


async def worker_of(store, worker_id):
    return await (await store.get_workers()).get(worker_id)


async def test_consume_iter_yields_messages_and_its_exit_stops_the_consumer(store, queue):
    ids = await pgqrs.produce_batch(store, queue, [{"i": i} for i in range(3)])
    it = store.consume_iter(queue, poll_interval_ms=10)
    assert isinstance(it, pgqrs.ConsumerIterator)
    seen = []
    async with it as messages:
        assert messages is it
        async for msg in messages:
            seen.append(msg.id)
            assert await messages.archive(msg.id) is True
            if len(seen) == 3:
                break
        worker_id = it.worker_id
    assert seen == ids
    w = await worker_of(store, worker_id)
    assert w.name.startswith("__ephemeral__")
    assert w.status == WorkerStatus.Stopped
    assert await (await store.get_messages()).count() == 0


async def test_consume_iter_waits_for_messages(store, queue):
    it = store.consume_iter(queue)  # default poll interval (50 ms)

    async def later():
        await asyncio.sleep(0.3)
        return await pgqrs.produce(store, queue, {"late": True})

    producer = asyncio.create_task(later())
    async with it:
        msg = await asyncio.wait_for(it.__anext__(), 60)
        assert msg.id == await producer
        assert await it.delete(msg.id) is True
        assert await it.delete(msg.id) is False


async def test_consume_iter_before_the_first_message(store, queue):
    it = store.consume_iter(queue)
    with pytest.raises(pgqrs.PgqrsError, match="Consumer not initialized"):
        await it.archive(1)
    with pytest.raises(RuntimeError, match="Consumer not initialized"):
        await it.delete(1)
    await it.close()  # nothing to close
    with pytest.raises(StopAsyncIteration):
        await it.__anext__()


async def test_consume_iter_exit_releases_unacknowledged_messages(store, queue):
    msg_id = await pgqrs.produce(store, queue, {"a": 1})
    async with store.consume_iter(queue) as it:
        msg = await it.__anext__()
        assert msg.id == msg_id
        worker_id = it.worker_id
    assert (await worker_of(store, worker_id)).status == WorkerStatus.Stopped
    m = await (await store.get_messages()).get(msg_id)
    assert m.consumer_worker_id is None and m.archived_at is None


async def test_consume_iter_argument_and_queue_errors(store, queue):
    with pytest.raises(TypeError):
        store.consume_iter(42)
    with pytest.raises(TypeError):
        store.consume_iter(queue, poll_interval_ms="fast")
    with pytest.raises(pgqrs.QueueNotFoundError):
        await store.consume_iter("missing").__anext__()


async def test_cancelling_consume_iter_keeps_no_lease(store, queue):
    it = store.consume_iter(queue, poll_interval_ms=10)
    task = asyncio.create_task(it.__anext__())
    await asyncio.sleep(0.3)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await it.close()
    msg_id = await pgqrs.produce(store, queue, {"a": 1})
    consumer = await store.consumer(queue)
    (m,) = await consumer.dequeue()
    assert m.id == msg_id


async def test_consume_handles_one_message_and_archives_it(store, queue):
    msg_id = await pgqrs.produce(store, queue, {"a": 1})
    got = []

    async def handler(msg):
        got.append(msg.payload)

    assert await pgqrs.consume(store, queue, handler) is None
    assert got == [{"a": 1}]
    assert (await (await store.get_messages()).get(msg_id)).archived_at is not None
    assert await pgqrs.consume(store, queue, handler) is None  # nothing ready: returns at once
    assert got == [{"a": 1}]


async def test_consume_re_raises_and_releases_on_handler_failure(store, queue):
    msg_id = await pgqrs.produce(store, queue, {"a": 1})

    async def handler(msg):
        raise KeyError("missing")

    with pytest.raises(KeyError):
        await pgqrs.consume(store, queue, handler)
    m = await (await store.get_messages()).get(msg_id)
    assert m.consumer_worker_id is None and m.archived_at is None and m.read_ct == 1
    ephemeral = [w for w in await (await store.get_workers()).list() if w.name.startswith("__ephemeral__")]
    assert ephemeral and all(w.status == WorkerStatus.Stopped for w in ephemeral)


async def test_consume_accepts_plain_functions(store, queue):
    await pgqrs.produce(store, queue, {"a": 1})
    got = []
    await pgqrs.consume(store, queue, lambda msg: got.append(msg.payload))
    assert got == [{"a": 1}]


async def test_consume_batch_passes_a_list(store, queue):
    ids = await pgqrs.produce_batch(store, queue, [{"i": i} for i in range(4)])
    batches = []

    async def handler(msgs):
        batches.append([m.id for m in msgs])

    await pgqrs.consume_batch(store, queue, 3, handler)
    assert len(batches) == 1 and 1 <= len(batches[0]) <= 3 and set(batches[0]) <= set(ids)
    assert await (await store.get_messages()).count() == 4 - len(batches[0])


async def test_consume_batch_failure_releases_the_batch(store, queue):
    await pgqrs.produce_batch(store, queue, [{"i": i} for i in range(2)])

    async def handler(msgs):
        raise ValueError("no")

    with pytest.raises(ValueError):
        await pgqrs.consume_batch(store, queue, 2, handler)
    consumer = await store.consumer(queue)
    assert len(await consumer.dequeue(5)) == 2


async def test_consume_errors(store, queue):
    async def handler(msg):
        pass

    with pytest.raises(pgqrs.QueueNotFoundError):
        await pgqrs.consume(store, "missing", handler)
    with pytest.raises(TypeError):
        await pgqrs.consume("store", queue, handler)
    with pytest.raises(TypeError):
        await pgqrs.consume(store, queue, "handler")
