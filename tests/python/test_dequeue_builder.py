"""pgqrs.dequeue(): the builder, its one-shot execute() and its asyncio poll loop (spec §3.8, §10.12):
handlers, interruption, suspension, handler failures, cancellation, Ctrl-C, idle heartbeats."""

from __future__ import annotations

import asyncio
import os
import pathlib
import signal
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone

import pytest

import pgqrs
from pgqrs import WorkerStatus

from conftest import FILE_BACKENDS, skip_if_single_process

ROOT = pathlib.Path(__file__).resolve().parents[2]
SUSPENDED_INTERRUPTED = "Operation suspended: worker interrupted"


async def eventually(predicate, timeout: float = 60.0, every: float = 0.05):
    """Waits until `predicate()` (a coroutine function) is true; generous, never a timing assertion."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        if await predicate():
            return
        assert loop.time() < deadline, "condition not reached"
        await asyncio.sleep(every)


async def status_of(store, worker_id: int) -> WorkerStatus:
    return (await (await store.get_workers()).get(worker_id)).status


async def message(store, msg_id: int) -> pgqrs.QueueMessage:
    return await (await store.get_messages()).get(msg_id)


# ---------------------------------------------------------------- the builder itself

def test_dequeue_without_arguments_returns_the_builder():
    b = pgqrs.dequeue()
    assert isinstance(b, pgqrs.DequeueBuilder)
    assert b.queue is None and b.batch_size == 1 and b.poll_interval_ms is None and not b.has_worker()
    assert isinstance(pgqrs.dequeue_builder(), pgqrs.DequeueBuilder)


def test_builder_methods_chain_and_batch_is_clamped():
    b = pgqrs.dequeue()
    assert b.from_queue("jobs").batch(0).poll_interval(250).at("2026-04-01T10:00:00Z") is b
    assert b.queue == "jobs" and b.batch_size == 1 and b.poll_interval_ms == 250
    assert b.batch(7).batch_size == 7


def test_builder_argument_errors():
    b = pgqrs.dequeue()
    with pytest.raises(ValueError):
        b.at("not a time")
    with pytest.raises(TypeError):
        b.at(12)
    with pytest.raises(TypeError):
        b.batch("2")
    with pytest.raises(TypeError):
        b.from_queue(3)
    with pytest.raises(OverflowError):
        b.poll_interval(-1)
    with pytest.raises(TypeError):
        b.worker("consumer")
    with pytest.raises(TypeError):
        b.handle(42)


async def test_dequeue_with_arguments_still_leases(store, queue):
    consumer = await store.consumer(queue)
    await pgqrs.produce(store, queue, {"a": 1})
    (m,) = await pgqrs.dequeue(consumer, 5)
    assert m.payload == {"a": 1}


async def test_configuration_errors_have_the_original_texts(store, queue):
    async def h(msg):
        pass

    with pytest.raises(ValueError, match=r"exactly one of handle\(\), handle_batch\(\) or handle_workflow\(\) is required"):
        await pgqrs.dequeue().from_queue(queue).poll(store)
    with pytest.raises(ValueError, match="exactly one of"):
        await pgqrs.dequeue().from_queue(queue).handle(h).handle_batch(h).poll(store)
    with pytest.raises(pgqrs.ValidationError) as err:
        await pgqrs.dequeue().from_queue(queue).batch(3).handle(h).poll(store)
    assert str(err.value) == "Validation failed: single-message handlers require batch size = 1, got 3"
    with pytest.raises(ValueError) as err:
        await pgqrs.dequeue().handle(h).poll(store)
    assert str(err.value) == 'Queue name is required. Use .from_queue("queue-name") or .worker(consumer)'
    with pytest.raises(TypeError):
        await pgqrs.dequeue().from_queue(queue).handle(h).poll("store")
    with pytest.raises(pgqrs.QueueNotFoundError):
        await pgqrs.dequeue().from_queue("missing").handle(h).poll(store)


# ---------------------------------------------------------------- execute(): one fetch

async def test_execute_handles_one_message_and_archives_it(store, queue):
    seen = []

    async def h(msg):
        seen.append(msg.payload)

    builder = pgqrs.dequeue().from_queue(queue).handle(h)
    assert await builder.execute(store) is False
    msg_id = await pgqrs.produce(store, queue, {"n": 1})
    assert await builder.execute(store) is True
    assert seen == [{"n": 1}]
    assert (await message(store, msg_id)).archived_at is not None


async def test_execute_releases_the_message_when_the_handler_fails(store, queue):
    consumer = await store.consumer(queue)
    msg_id = await pgqrs.produce(store, queue, {"n": 1})

    def h(msg):  # plain functions are accepted too
        raise ValueError("boom")

    with pytest.raises(pgqrs.InternalError) as err:
        await pgqrs.dequeue().worker(consumer).handle(h).execute(store)
    assert str(err.value) == "Internal error: ValueError: boom"
    assert isinstance(err.value.__cause__, ValueError)
    m = await message(store, msg_id)
    assert m.archived_at is None and m.consumer_worker_id is None and m.read_ct == 1
    assert await consumer.status() == WorkerStatus.Ready


# ---------------------------------------------------------------- poll(): the loop

async def test_poll_handles_messages_until_interrupted(store, queue):
    consumer = await store.consumer(queue)
    ids = await pgqrs.produce_batch(store, queue, [{"i": i} for i in range(3)])
    handled = []

    async def h(msg):
        handled.append(msg.id)

    task = asyncio.create_task(pgqrs.dequeue().worker(consumer).poll_interval(20).handle(h).poll(store))

    async def all_handled():
        return sorted(handled) == sorted(ids)

    await eventually(all_handled)
    assert await consumer.status() == WorkerStatus.Polling
    await consumer.interrupt()
    with pytest.raises(pgqrs.PgqrsError) as err:
        await asyncio.wait_for(task, 60)
    assert type(err.value) is pgqrs.PgqrsError
    assert str(err.value) == SUSPENDED_INTERRUPTED
    assert await consumer.status() == WorkerStatus.Suspended
    assert await (await store.get_messages()).count() == 0  # all archived


async def test_poll_with_a_batch_handler_gets_lists(store, queue):
    consumer = await store.consumer(queue)
    await pgqrs.produce_batch(store, queue, [{"i": i} for i in range(5)])
    batches = []

    async def h(msgs):
        batches.append([m.payload["i"] for m in msgs])

    task = asyncio.create_task(pgqrs.dequeue().worker(consumer).batch(5).poll_interval(20).handle_batch(h)
                               .poll(store))

    async def five_seen():
        return sum(len(b) for b in batches) == 5

    await eventually(five_seen)
    assert all(1 <= len(b) <= 5 for b in batches)
    await consumer.interrupt()
    with pytest.raises(pgqrs.PgqrsError, match=SUSPENDED_INTERRUPTED):
        await task


async def test_a_failing_handler_ends_the_loop_and_releases_its_message(store, queue):
    consumer = await store.consumer(queue)
    msg_id = await pgqrs.produce(store, queue, {"bad": True})

    async def h(msg):
        raise RuntimeError("handler failed")

    with pytest.raises(pgqrs.InternalError, match="Internal error: RuntimeError: handler failed"):
        await asyncio.wait_for(pgqrs.dequeue().worker(consumer).poll_interval(20).handle(h).poll(store), 60)
    m = await message(store, msg_id)
    assert m.consumer_worker_id is None and m.archived_at is None and m.read_ct == 1
    assert await consumer.status() == WorkerStatus.Ready  # the original leaves it Polling


async def idle_loop(store, consumer, interval_ms: int = 50) -> asyncio.Task:
    """A poll loop on `consumer` with nothing to do, started and seen polling."""

    async def h(msg):
        pass

    task = asyncio.create_task(pgqrs.dequeue().worker(consumer).poll_interval(interval_ms).handle(h).poll(store))

    async def polling():
        return await consumer.status() == WorkerStatus.Polling

    await eventually(polling)
    return task


async def test_interrupting_an_idle_loop_from_another_coroutine(store, queue):
    consumer = await store.consumer(queue)
    task = await idle_loop(store, consumer)
    await consumer.interrupt()
    with pytest.raises(pgqrs.PgqrsError, match=SUSPENDED_INTERRUPTED):
        await asyncio.wait_for(task, 60)
    assert await consumer.status() == WorkerStatus.Suspended


async def test_suspending_the_worker_ends_the_loop(store, queue):
    consumer = await store.consumer(queue)
    task = await idle_loop(store, consumer)
    await consumer.suspend()
    with pytest.raises(pgqrs.PgqrsError, match="Operation suspended: worker suspended"):
        await asyncio.wait_for(task, 60)


async def test_poll_refuses_suspended_and_stopped_workers(store, queue):
    consumer = await store.consumer(queue)

    async def h(msg):
        pass

    await consumer.suspend()
    with pytest.raises(pgqrs.PgqrsError, match="Operation suspended: worker suspended"):
        await pgqrs.dequeue().worker(consumer).handle(h).poll(store)
    await consumer.shutdown()
    with pytest.raises(pgqrs.StateTransitionError, match="from stopped to polling"):
        await pgqrs.dequeue().worker(consumer).handle(h).poll(store)


async def test_cancelling_an_idle_loop_leaves_the_worker_ready(store, queue):
    consumer = await store.consumer(queue)
    task = await idle_loop(store, consumer, 30)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await consumer.status() == WorkerStatus.Ready


async def cancel_while_handling(store, builder: pgqrs.DequeueBuilder) -> int:
    """Polls with a handler that never finishes, cancels the loop inside it; returns the consumer's id."""
    started = asyncio.Event()
    seen = {}

    async def h(msg):
        seen["worker"] = msg.consumer_worker_id
        started.set()
        await asyncio.sleep(3600)

    task = asyncio.create_task(builder.handle(h).poll(store))
    await asyncio.wait_for(started.wait(), 60)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    return seen["worker"]


async def test_cancelling_during_a_handler_releases_its_message(store, queue):
    consumer = await store.consumer(queue)
    msg_id = await pgqrs.produce(store, queue, {"slow": True})
    assert await cancel_while_handling(store, pgqrs.dequeue().worker(consumer)) == consumer.worker_id
    m = await message(store, msg_id)
    assert m.consumer_worker_id is None and m.archived_at is None
    assert await consumer.status() == WorkerStatus.Ready


async def test_cancelling_a_from_queue_loop_stops_its_ephemeral_consumer(store, queue):
    msg_id = await pgqrs.produce(store, queue, {"slow": True})
    worker_id = await cancel_while_handling(store, pgqrs.dequeue().from_queue(queue))
    worker = await (await store.get_workers()).get(worker_id)
    assert worker.name.startswith("__ephemeral__")
    assert worker.status == WorkerStatus.Stopped
    assert (await message(store, msg_id)).consumer_worker_id is None


async def test_many_idle_loops_do_not_hold_executor_threads(store, queue):
    # 20 waiting loops and still an ordinary call goes through: no thread is parked per loop.
    consumers = [await store.consumer(queue) for _ in range(20)]

    async def h(msg):
        pass

    tasks = [asyncio.create_task(pgqrs.dequeue().worker(c).poll_interval(500).handle(h).poll(store))
             for c in consumers]
    try:
        await asyncio.sleep(0.5)
        assert await asyncio.wait_for(pgqrs.produce(store, queue, {"x": 1}), 60) > 0
    finally:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def test_poll_with_at_uses_the_injected_time(store, queue):
    consumer = await store.consumer(queue)
    msg_id = await (await store.producer(queue)).enqueue_delayed({"later": True}, 3600)
    got = []

    async def h(msg):
        got.append(msg.id)

    later = (datetime.now(timezone.utc) + timedelta(hours=2)).isoformat()
    assert await pgqrs.dequeue().worker(consumer).at(later).handle(h).execute(store) is True
    assert got == [msg_id]


async def test_an_idle_loop_heartbeats(config, store):
    # The original's test: heartbeat_interval_seconds=1 and poll_interval(2000) still beat while idle.
    config.heartbeat_interval_seconds = 1
    store = await pgqrs.connect_with(config)  # the fixture's schema, installed, with 1 s beats
    await store.queue("hb")
    consumer = await store.consumer("hb")
    first = (await (await store.get_workers()).get(consumer.worker_id)).heartbeat_at

    async def h(msg):
        pass

    task = asyncio.create_task(pgqrs.dequeue().worker(consumer).poll_interval(2000).handle(h).poll(store))

    async def beaten():
        now = (await (await store.get_workers()).get(consumer.worker_id)).heartbeat_at
        return datetime.fromisoformat(now) > datetime.fromisoformat(first)

    try:
        await eventually(beaten)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


# ---------------------------------------------------------------- Ctrl-C

POLLER = textwrap.dedent('''
    import asyncio, sys
    import pgqrs

    async def main(dsn, schema, queue):
        cfg = pgqrs.Config(dsn, schema=schema) if schema else pgqrs.Config(dsn)
        store = await pgqrs.connect_with(cfg)
        consumer = await store.consumer(queue)
        print(consumer.worker_id, flush=True)

        async def handler(msg):
            print("handling", msg.id, flush=True)
            await asyncio.sleep(3600)

        await pgqrs.dequeue().worker(consumer).poll_interval(50).handle(handler).poll(store)

    try:
        asyncio.run(main(*sys.argv[1:]))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
''')


@pytest.mark.parametrize("busy", [True, False], ids=["in_handler", "idle"])
async def test_ctrl_c_ends_a_poll_loop_cleanly(store, queue, config, backend, busy):
    skip_if_single_process(backend)
    msg_id = await pgqrs.produce(store, queue, {"work": 1}) if busy else None
    schema = "" if backend in FILE_BACKENDS else config.schema
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", POLLER, config.dsn, schema, queue,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, cwd=str(ROOT))
    worker_id = int((await asyncio.wait_for(proc.stdout.readline(), 120)).decode())
    if busy:
        line = (await asyncio.wait_for(proc.stdout.readline(), 120)).decode().split()
        assert line == ["handling", str(msg_id)]
    else:
        async def polling():
            return await status_of(store, worker_id) == WorkerStatus.Polling

        await eventually(polling)
    proc.send_signal(signal.SIGINT)
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    err = err.decode()
    assert proc.returncode == 130, err
    assert err.strip() == "interrupted", err  # no traceback, no "Task was destroyed", no "Exception ignored"
    if busy:
        m = await message(store, msg_id)
        assert m.archived_at is None and m.consumer_worker_id is None  # released, not lost
    assert await status_of(store, worker_id) == WorkerStatus.Ready


def test_the_poll_loop_example_in_the_docs_runs():
    import re

    doc = (ROOT / "docs" / "python.md").read_text()
    (block,) = [b for b in re.findall(r"```python\n(.*?)```", doc, re.S) if "test_dequeue_builder.py runs it" in b]
    out = subprocess.run([sys.executable, "-c", block], check=True, capture_output=True, text=True,
                         timeout=120).stdout
    assert "handled [0, 1, 2]" in out
    assert "archived 3 pending 0" in out
