"""The worker loop's calls on PostgreSQL run on the event loop's own thread (pgqrs._util._inline over a native
InlineCall) and wait for their connection's socket with the loop. What other actors can do meanwhile: a
statement that waits on the server (a lock held by someone else) leaves the loop free; a worker cancelled in
the middle of a checkpoint lets the checkpoint finish first, gives the run back, and the next worker finishes
it without running the recorded step again; connections the server ended while idle are replaced without
blocking the loop."""

from __future__ import annotations

import asyncio
import subprocess
import threading
import time

import pytest

import pgqrs
from pgqrs.decorators import step, workflow

from conftest import BACKENDS, server_dsn
from workflow_support import drain_workflow, wf_name

SOCKET_BACKENDS = [b for b in BACKENDS if b in ("postgres", "pgbouncer")]


@pytest.fixture(params=SOCKET_BACKENDS)
def backend(request) -> str:
    return request.param


def psql_value(sql: str) -> str:
    out = subprocess.run(["psql", "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", server_dsn("postgres"), "-c", sql],
                         check=True, capture_output=True, text=True)
    return out.stdout.strip()


class StepsTableLock:
    """A second session holding SHARE MODE on the schema's step table: checkpoints (writes) wait for it."""

    def __init__(self, schema: str) -> None:
        self._psql = subprocess.Popen(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", server_dsn("postgres")],
                                      stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
        self._psql.stdin.write(f'BEGIN;\nLOCK TABLE "{schema}".pgqrs_workflow_steps IN SHARE MODE;\n'
                               "SELECT 'locked';\n")
        self._psql.stdin.flush()
        deadline = time.monotonic() + 10
        while psql_value("SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                         f"WHERE c.relname = 'pgqrs_workflow_steps' AND l.mode = 'ShareLock' AND l.granted") == "0":
            assert time.monotonic() < deadline, "the lock was not taken"
            time.sleep(0.02)

    def release(self) -> None:
        self._psql.communicate("COMMIT;\n", timeout=10)


async def wait_for_lock_waiter() -> None:
    """Until a pgqrs session waits for a lock on the server."""
    for _ in range(500):
        n = await asyncio.to_thread(psql_value, "SELECT count(*) FROM pg_stat_activity WHERE "
                                               "application_name = 'pgqrs' AND wait_event_type = 'Lock'")
        if n != "0":
            return
        await asyncio.sleep(0.02)
    raise AssertionError("no pgqrs statement waited for the lock")


async def test_a_checkpoint_waiting_on_the_server_leaves_the_event_loop_free(store, config):
    assert store._h.inline_calls
    name = wf_name()
    await pgqrs.workflow().name(name).store(store).create()
    msg = await pgqrs.workflow().name(name).store(store).trigger(None).execute()
    lock: list = []

    @step
    async def a(ctx):
        lock.append(await asyncio.to_thread(StepsTableLock, config.schema))
        return 41

    @workflow(name=name)
    async def flow(ctx):
        return await a(ctx) + 1

    ticks = [0]

    async def tick():
        while True:
            await asyncio.sleep(0.01)
            ticks[0] += 1

    ticker = asyncio.create_task(tick())
    work = asyncio.create_task(drain_workflow(store, name, flow))
    try:
        await wait_for_lock_waiter()
        before = ticks[0]
        await asyncio.sleep(0.3)
        assert ticks[0] - before >= 10  # the loop ran while the checkpoint waited on the server
        assert not work.done()
        await asyncio.to_thread(lock[0].release)
        assert await asyncio.wait_for(work, 20) == 1
    finally:
        ticker.cancel()
    assert await pgqrs.run().message(msg).store(store).result(timeout=5) == 42


async def test_a_worker_cancelled_during_a_checkpoint_finishes_it_and_the_step_is_not_run_again(store, config):
    name = wf_name()
    await pgqrs.workflow().name(name).store(store).create()
    msg = await pgqrs.workflow().name(name).store(store).trigger(None).execute()
    executed = {"a": 0, "b": 0}
    lock: list = []

    @step
    async def a(ctx):
        executed["a"] += 1
        if not lock:
            lock.append(await asyncio.to_thread(StepsTableLock, config.schema))
        return 1

    @step
    async def b(ctx, x):
        executed["b"] += 1
        return x + 1

    @workflow(name=name)
    async def flow(ctx):
        return await b(ctx, await a(ctx))

    consumer = await store.consumer(name)
    work = asyncio.create_task(pgqrs.dequeue().worker(consumer).poll_interval(10).handle_workflow(flow).poll(store))
    await wait_for_lock_waiter()
    # The cancelled worker finishes the checkpoint in flight first: release the table lock from another
    # thread meanwhile.
    threading.Timer(0.5, lock[0].release).start()
    work.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(work, 20)
    # The checkpoint in flight ran to its end before the cancellation went on: step a is recorded, and the
    # run was given back after it.
    run = await pgqrs.run().message(msg).store(store).execute()
    assert {s.step_name: s.status for s in await run.steps()} == {"a": pgqrs.WorkflowStatus.Success}
    assert (await run.refresh()).record.status == pgqrs.WorkflowStatus.Running
    # Given back at once (not after its 30 s lease): the next worker finishes it now, without running a again.
    assert await drain_workflow(store, name, flow) == 1
    assert await pgqrs.run().message(msg).store(store).result(timeout=5) == 2
    assert executed == {"a": 1, "b": 1}


async def test_connections_the_server_ended_while_idle_are_replaced(store, config):
    name = wf_name()
    await pgqrs.workflow().name(name).store(store).create()

    @step
    async def a(ctx, x):
        return x * 2

    @workflow(name=name)
    async def flow(ctx, inp):
        return await a(ctx, inp)

    first = await pgqrs.workflow().name(name).store(store).trigger(1).execute()
    assert await drain_workflow(store, name, flow) == 1
    # A server restart or an idle timeout: every session of the store ends while its connection is idle.
    ended = psql_value("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                       "WHERE application_name = 'pgqrs' AND pid <> pg_backend_pid()")
    assert int(ended) >= 1
    second = await pgqrs.workflow().name(name).store(store).trigger(2).execute()
    assert await drain_workflow(store, name, flow) == 1
    assert await pgqrs.run().message(first).store(store).result(timeout=5) == 2
    assert await pgqrs.run().message(second).store(store).result(timeout=5) == 4


async def test_a_session_ended_during_a_checkpoint_does_not_fail_the_run(store, config):
    name = wf_name()
    await pgqrs.workflow().name(name).store(store).create()
    msg = await pgqrs.workflow().name(name).store(store).trigger(None).execute()
    executed = [0]
    lock: list = []

    @step
    async def a(ctx):
        executed[0] += 1
        if not lock:
            lock.append(await asyncio.to_thread(StepsTableLock, config.schema))
        return 1

    @workflow(name=name)
    async def flow(ctx):
        return await a(ctx) + 1

    consumer = await store.consumer(name)
    work = asyncio.create_task(pgqrs.dequeue().worker(consumer).poll_interval(10).handle_workflow(flow).poll(store))
    try:
        await wait_for_lock_waiter()
        # The server ends the session whose checkpoint waits (a restart, a failover, an administrator).
        psql_value("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                   "WHERE application_name = 'pgqrs' AND wait_event_type = 'Lock'")
        await asyncio.to_thread(lock[0].release)
        # The server answered with the end of the session, so the checkpoint was not applied: it is sent again
        # on a new connection (or, if that fails too, the run is given back and executed again). Either way
        # the run succeeds; it is never failed for the database's trouble.
        assert await pgqrs.run().message(msg).store(store).result(timeout=20) == 2
    finally:
        work.cancel()
        with pytest.raises(asyncio.CancelledError):
            await work
    assert executed[0] in (1, 2)
