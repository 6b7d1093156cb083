"""Durable workflows from Python (spec §7, §10.11, §10.14): definitions, triggers, the original's Run and
step API from outside a worker, decorators, and the worker loop (handle_workflow) on every backend."""

from __future__ import annotations

import asyncio
import math
import uuid
from datetime import datetime, timedelta

import pytest

import pgqrs
from pgqrs.decorators import step, workflow

from conftest import FILE_BACKENDS
from workflow_support import drain_workflow, wf_name


async def make_run(store, name=None, arg=None):
    name = name or wf_name()
    return await pgqrs.admin(store).create_workflow(name, {"x": 1} if arg is None else arg)


def later(seconds: float, base: str | None = None) -> str:
    t = datetime.fromisoformat(base) if base else datetime.now().astimezone()
    return (t + timedelta(seconds=seconds)).isoformat()


# ---------------------------------------------------------------- definitions and triggers


async def test_create_is_not_idempotent_like_the_original_unless_asked(store):
    name = wf_name()
    rec = await pgqrs.workflow().name(name).store(store).create()
    assert isinstance(rec, pgqrs.WorkflowRecord) and rec.name == name and rec.id > 0
    with pytest.raises(pgqrs.PgqrsError, match=f"Workflow '{name}' already exists"):
        await pgqrs.workflow().name(name).store(store).create()
    again = await pgqrs.workflow().name(name).store(store).create(exist_ok=True)
    assert again.id == rec.id
    assert (await (await store.get_workflows()).get_by_name(name)).id == rec.id


async def test_builders_name_what_is_missing(store):
    with pytest.raises(ValueError, match="store is required"):
        await pgqrs.workflow().name("x").create()
    with pytest.raises(ValueError, match="name is required"):
        await pgqrs.workflow().store(store).create()
    with pytest.raises(TypeError):
        pgqrs.workflow().name(42)
    with pytest.raises(RuntimeError, match="Direct Run creation is disabled"):
        pgqrs.Run()


async def test_trigger_returns_the_message_and_a_repeated_key_the_same_one(store):
    name = wf_name()
    await pgqrs.workflow().name(name).store(store).create()
    msg = await pgqrs.workflow().name(name).store(store).trigger({"order": 7}).execute()
    assert isinstance(msg, pgqrs.QueueMessage)
    assert msg.payload == {"order": 7}  # the original's getter unwraps {"input": …}
    k1 = await pgqrs.workflow().name(name).store(store).trigger(1).key("order-42").execute()
    k2 = await pgqrs.workflow().name(name).store(store).trigger(2).key("order-42").execute()
    assert k1.id == k2.id != msg.id
    with pytest.raises(TypeError):
        pgqrs.workflow().name(name).store(store).trigger(object())
    with pytest.raises(ValueError):
        pgqrs.workflow().name(name).store(store).trigger(math.nan)


async def test_trigger_of_an_unknown_workflow_fails(store):
    with pytest.raises(pgqrs.PgqrsError, match="not found"):
        await pgqrs.workflow().name("never_created").store(store).trigger(1).execute()


# ---------------------------------------------------------------- runs from outside a worker


async def test_run_lifecycle_and_result(store):
    name = wf_name()
    await pgqrs.workflow().name(name).store(store).create()
    msg = await pgqrs.workflow().name(name).store(store).trigger({"x": 1}).execute()
    rb = pgqrs.run().message(msg).store(store)
    r = await rb.execute()
    assert isinstance(r, pgqrs.Run)
    assert isinstance(r.id(), int) and r.message_id == msg.id
    assert r.input == {"input": {"x": 1}}
    assert r.current_time is None
    assert r.record.status == pgqrs.WorkflowStatus.Queued
    assert await r.start() is True
    assert (await r.refresh()).record.status == pgqrs.WorkflowStatus.Running
    assert await r.start() is True  # RUNNING stays RUNNING
    assert await rb.get() is None
    assert await r.success({"done": True}) is True
    assert await rb.get() == {"done": True}
    assert await rb.result(timeout=5) == {"done": True}
    with pytest.raises(pgqrs.ValidationError, match="terminal SUCCESS"):
        await r.start()
    # a late failure does not overwrite the result
    await r.fail("late")
    assert (await r.refresh()).record.status == pgqrs.WorkflowStatus.Success


async def test_a_failed_run_raises_with_its_error(store):
    r = await make_run(store)
    await r.start()
    await r.fail("payment declined")
    rec = (await r.refresh()).record
    assert rec.status == pgqrs.WorkflowStatus.Error
    assert "payment declined" in str(rec.error)
    with pytest.raises(pgqrs.ValidationError):
        await r.start()


async def test_pause_and_cancel(store):
    r = await make_run(store)
    await r.start()
    assert await r.pause("waiting for approval", 30) is True
    rec = (await r.refresh()).record
    assert rec.status == pgqrs.WorkflowStatus.Paused
    assert "waiting for approval" in str(rec.error)
    assert await r.cancel() is True
    assert (await r.refresh()).record.status == pgqrs.WorkflowStatus.Cancelling
    with pytest.raises(pgqrs.PgqrsError, match=f"Workflow cancelled for run {r.id()}"):
        await r.acquire_step("a")
    assert (await r.refresh()).record.status == pgqrs.WorkflowStatus.Cancelled
    with pytest.raises(pgqrs.ValidationError):
        await r.start()


async def test_create_workflow_needs_an_arg(store):
    with pytest.raises(RuntimeError, match="must have an arg"):
        await pgqrs.admin(store).create_workflow(wf_name())


async def test_result_times_out_while_the_run_is_not_finished(store):
    name = wf_name()
    await pgqrs.workflow().name(name).store(store).create()
    msg = await pgqrs.workflow().name(name).store(store).trigger(1).execute()
    rb = pgqrs.run().message(msg).store(store)
    assert await rb.get() is None
    with pytest.raises(pgqrs.TimeoutError):
        await rb.result(timeout=0.2)


# ---------------------------------------------------------------- steps from outside a worker


async def test_a_step_runs_once_then_is_skipped_with_its_value(store):
    r = await make_run(store)
    res = await r.acquire_step("fetch")
    assert res.status == pgqrs.StepResultStatus.Execute and res.value is None
    assert await res.guard.success({"items": [1, 2]}) is None  # as the original
    again = await r.acquire_step("fetch")
    assert again.status == pgqrs.StepResultStatus.Skipped
    assert again.value == {"items": [1, 2]} and again.guard is None


async def test_a_permanent_failure_is_stored_and_exhausts(store):
    r = await make_run(store)
    res = await r.acquire_step("read")
    await res.guard.fail("File not found")
    steps = await (await store.get_workflow_steps()).list(r.id())
    assert steps[0].status == pgqrs.WorkflowStatus.Error
    assert "File not found" in str(steps[0].error)
    with pytest.raises(pgqrs.RetriesExhaustedError, match="Step failed after 0 attempts"):
        await r.acquire_step("read")


async def test_transient_failures_follow_the_default_policy(store):
    r = await make_run(store)
    t = datetime.now().astimezone().isoformat()
    for expected in (1, 2, 4):
        res = await r.acquire_step("net", current_time=t)
        assert res.status == pgqrs.StepResultStatus.Execute
        await res.guard.fail_transient("NET", "connection reset")
        step_rec = (await (await store.get_workflow_steps()).list(r.id()))[0]
        assert step_rec.error["is_transient"] is True and step_rec.error["code"] == "NET"
        assert step_rec.retry_at is not None
        delay = (datetime.fromisoformat(step_rec.retry_at) - datetime.fromisoformat(t)).total_seconds()
        assert expected - 1 <= delay <= expected + 1, (expected, delay)
        with pytest.raises(pgqrs.StepNotReadyError, match="Step not ready for execution"):
            await r.acquire_step("net", current_time=t)
        t = step_rec.retry_at
    res = await r.acquire_step("net", current_time=t)
    await res.guard.fail_transient("NET", "still down")
    with pytest.raises(pgqrs.RetriesExhaustedError, match="after 3 attempts"):
        await r.acquire_step("net", current_time=later(100, t))


async def test_retry_after_and_a_configured_policy_apply(store):
    r = await make_run(store)
    t = datetime.now().astimezone().isoformat()
    res = await r.acquire_step("a", current_time=t)
    await res.guard.fail_transient("X", "m", retry_after=5)
    rec = (await (await store.get_workflow_steps()).list(r.id()))[0]
    assert abs((datetime.fromisoformat(rec.retry_at) - datetime.fromisoformat(t)).total_seconds() - 5) < 0.01
    assert rec.error["retry_after"] == {"secs": 5, "nanos": 0}
    for bad in (-1, math.nan, math.inf):
        with pytest.raises(ValueError, match="Invalid retry_after"):
            await res.guard.fail_transient("X", "m", retry_after=bad)

    policy = pgqrs.StepRetryPolicy(max_attempts=1, backoff=pgqrs.BackoffStrategy.fixed(7))
    assert policy.max_attempts == 1 and "fixed(7)" in repr(policy)
    res = await r.acquire_step("b", current_time=t, retry_policy=policy)
    await res.guard.fail_transient("X", "m")
    rec = next(s for s in await (await store.get_workflow_steps()).list(r.id()) if s.step_name == "b")
    assert abs((datetime.fromisoformat(rec.retry_at) - datetime.fromisoformat(t)).total_seconds() - 7) < 0.01
    res = await r.acquire_step("b", current_time=later(8, t), retry_policy=policy)
    await res.guard.fail_transient("X", "m")
    with pytest.raises(pgqrs.RetriesExhaustedError):
        await r.acquire_step("b", current_time=later(100, t), retry_policy=policy)


async def test_step_builder(store):
    r = await make_run(store)
    res = await pgqrs.step().run(r).name("s1").with_time(datetime.now().astimezone().isoformat()).execute()
    assert res.status == pgqrs.StepResultStatus.Execute
    with pytest.raises(pgqrs.PgqrsError, match="Run is required"):
        await pgqrs.step().name("s1").execute()
    with pytest.raises(pgqrs.PgqrsError, match="Step name is required"):
        await pgqrs.step().run(r).execute()
    with pytest.raises(ValueError):
        pgqrs.step().with_time("not a time")
    assert await r.complete_step("s2", [1]) is None
    assert (await r.acquire_step("s2")).value == [1]
    assert await r.fail_step("s3", {"is_transient": False, "code": "X", "message": "no"}) is None
    with pytest.raises(pgqrs.RetriesExhaustedError):
        await r.acquire_step("s3")


# ---------------------------------------------------------------- decorators


def test_decorator_arguments_are_checked():
    with pytest.raises(TypeError, match="Workflow name must be a string"):
        workflow(name=3)
    with pytest.raises(ValueError, match="Workflow name cannot be empty"):
        workflow(name="")


async def test_decorated_workflow_on_a_run_from_outside_replays_its_steps(store):
    calls = []

    @step
    async def double(ctx, x):
        calls.append("double")
        return x * 2

    @step
    def describe(ctx, y):  # plain functions are accepted
        calls.append("describe")
        return f"y={y}"

    name = wf_name()

    @workflow(name=name)
    async def flow(ctx, inp):
        y = await double(ctx, inp["x"])
        return {"text": await describe(ctx, y)}

    assert isinstance(flow, pgqrs.WorkflowDef) and flow.name == name
    r = await pgqrs.admin(store).create_workflow(name, {"x": 21})
    assert await flow(r) == {"text": "y=42"}
    assert (await r.refresh()).record.status == pgqrs.WorkflowStatus.Success
    # again: terminal SUCCESS is tolerated, the steps are skipped
    assert await flow(r) == {"text": "y=42"}
    assert calls == ["double", "describe"]
    with pytest.raises(TypeError):
        await flow("not a run")


async def test_a_failing_decorated_workflow_fails_the_run(store):
    name = wf_name()

    @step
    async def boom(ctx):
        raise KeyError("nope")

    @workflow(name=name)
    async def flow(ctx):
        await boom(ctx)

    r = await pgqrs.admin(store).create_workflow(name, {"x": 1})
    with pytest.raises(KeyError):
        await flow(r)
    rec = (await r.refresh()).record
    assert rec.status == pgqrs.WorkflowStatus.Error and "nope" in str(rec.error)
    steps = await (await store.get_workflow_steps()).list(r.id())
    assert steps[0].step_name == "boom" and steps[0].status == pgqrs.WorkflowStatus.Error


# ---------------------------------------------------------------- the worker loop


async def test_the_worker_executes_each_step_once_per_run(store):
    name = wf_name()
    calls: dict[str, int] = {}

    def count(key):
        calls[key] = calls.get(key, 0) + 1

    @step
    async def a(ctx, x):
        count("a")
        return x + 1

    @step
    async def b(ctx, x):
        count("b")
        return x * 10

    @step
    async def c(ctx, x):
        count("c")
        return str(x)

    @workflow(name=name)
    async def flow(ctx, inp):
        return {"result": await c(ctx, await b(ctx, await a(ctx, inp["x"])))}

    await pgqrs.workflow().name(name).store(store).create()
    msgs = [await pgqrs.workflow().name(name).store(store).trigger({"x": i}).execute() for i in range(5)]
    assert await drain_workflow(store, name, flow) == 5
    for i, m in enumerate(msgs):
        assert await pgqrs.run().message(m).store(store).get() == {"result": str((i + 1) * 10)}
    assert calls == {"a": 5, "b": 5, "c": 5}
    runs = await (await store.get_workflow_runs()).list(workflow=name)
    assert {r.status for r in runs} == {pgqrs.WorkflowStatus.Success}
    assert await (await store.get_messages()).count() == 0 if hasattr(store, "get_messages") else True


async def test_a_failing_run_is_recorded_and_the_worker_goes_on(store):
    name = wf_name()

    @workflow(name=name)
    async def flow(ctx, inp):
        if inp == "bad":
            raise ValueError("bad input")
        return inp

    await pgqrs.workflow().name(name).store(store).create()
    bad = await pgqrs.workflow().name(name).store(store).trigger("bad").execute()
    good = await pgqrs.workflow().name(name).store(store).trigger("good").execute()
    assert await drain_workflow(store, name, flow) == 2
    with pytest.raises(pgqrs.PgqrsError, match="bad input"):
        await pgqrs.run().message(bad).store(store).get()
    assert await pgqrs.run().message(good).store(store).get() == "good"


async def test_a_transient_step_failure_is_retried_later_without_holding_the_run(store):
    name = wf_name()
    attempts = []

    @step
    async def flaky(ctx):
        attempts.append(1)
        if len(attempts) == 1:
            e = pgqrs.TransientStepError("try again")
            e.code = "BUSY"
            e.retry_after = 0.3
            raise e
        return "ok"

    @workflow(name=name)
    async def flow(ctx):
        return await flaky(ctx)

    await pgqrs.workflow().name(name).store(store).create()
    msg = await pgqrs.workflow().name(name).store(store).trigger(None).execute()
    await drain_workflow(store, name, flow)
    assert await pgqrs.run().message(msg).store(store).get() is None  # waiting for its retry
    await asyncio.sleep(0.6)
    await drain_workflow(store, name, flow)
    assert await pgqrs.run().message(msg).store(store).get() == "ok"
    assert len(attempts) == 2
    steps = await (await store.get_workflow_steps()).list()
    assert steps[0].retry_count == 1


class Crash(BaseException):
    """A simulated crash: bypasses every `except Exception`."""


async def test_a_crash_mid_run_resumes_from_the_last_completed_step(store):
    name = wf_name()
    calls = []
    crash = [True]

    @step
    async def first(ctx):
        calls.append("first")
        return 1

    @step
    async def second(ctx, x):
        calls.append("second")
        if crash[0]:
            crash[0] = False
            raise Crash()
        return x + 1

    @workflow(name=name)
    async def flow(ctx):
        return await second(ctx, await first(ctx))

    await pgqrs.workflow().name(name).store(store).create()
    msg = await pgqrs.workflow().name(name).store(store).trigger(None).execute()
    with pytest.raises(Crash):
        await drain_workflow(store, name, flow)
    assert (await pgqrs.run().message(msg).store(store).execute()).record.status == pgqrs.WorkflowStatus.Running
    await drain_workflow(store, name, flow)  # given back at once: no lease to wait out
    assert await pgqrs.run().message(msg).store(store).get() == 2
    assert calls == ["first", "second", "second"]


async def test_cancel_while_running_stops_at_the_next_step(store):
    name = wf_name()
    ran = []

    @step
    async def one(ctx):
        await ctx.cancel()
        ran.append("one")

    @step
    async def two(ctx):
        ran.append("two")

    @workflow(name=name)
    async def flow(ctx):
        await one(ctx)
        await two(ctx)

    await pgqrs.workflow().name(name).store(store).create()
    msg = await pgqrs.workflow().name(name).store(store).trigger(None).execute()
    await drain_workflow(store, name, flow)
    assert ran == ["one"]
    with pytest.raises(pgqrs.PgqrsError, match="cancelled"):
        await pgqrs.run().message(msg).store(store).get()


async def test_pause_and_sleep_inside_the_worker_hold_nothing_and_continue(store):
    name = wf_name()
    after = []

    @workflow(name=name)
    async def flow(ctx):
        await ctx.sleep("nap", 0.2)
        await ctx.pause("needs approval", 3600)
        after.append(1)
        return "approved"

    await pgqrs.workflow().name(name).store(store).create()
    msg = await pgqrs.workflow().name(name).store(store).trigger(None).execute()
    await drain_workflow(store, name, flow)
    await asyncio.sleep(0.4)
    await drain_workflow(store, name, flow)
    run = await pgqrs.run().message(msg).store(store).execute()
    assert run.record.status == pgqrs.WorkflowStatus.Paused
    assert "needs approval" in str(run.record.error)
    assert after == []
    assert await run.resume() is True
    await drain_workflow(store, name, flow)
    assert await pgqrs.run().message(msg).store(store).get() == "approved"
    assert after == [1]


async def test_a_plain_coroutine_taking_the_run_is_a_workflow_too(store):
    name = wf_name()

    async def flow(run: pgqrs.Run):
        res = await run.acquire_step("only")
        if res.status == pgqrs.StepResultStatus.Execute:
            await res.guard.success(run.input["input"] * 2)
            return run.input["input"] * 2
        return res.value

    await pgqrs.workflow().name(name).store(store).create()
    msg = await pgqrs.workflow().name(name).store(store).trigger(21).execute()
    await drain_workflow(store, name, flow)
    assert await pgqrs.run().message(msg).store(store).get() == 42


async def test_a_transactional_step_commits_its_sql_with_its_checkpoint(store, backend):
    name = wf_name()
    table = f"t_{uuid.uuid4().hex[:8]}"
    ph = "?1" if backend in FILE_BACKENDS else "$1"
    crash = [True]

    def create(tx):
        tx.execute(f"CREATE TABLE IF NOT EXISTS {table} (v INTEGER)")
        return tx.dialect

    def insert(tx):
        rows, affected = tx.execute(f"INSERT INTO {table} (v) VALUES ({ph})", [7])
        assert affected == 1 and rows == []
        if crash[0]:
            crash[0] = False
            raise RuntimeError("rolled back")
        return tx.execute(f"SELECT count(*) FROM {table}")[0][0][0]

    @workflow(name=name)
    async def flow(ctx):
        dialect = await ctx.transaction_step("create", create)
        return {"dialect": dialect, "rows": await ctx.transaction_step("insert", insert)}

    await pgqrs.workflow().name(name).store(store).create()
    bad = await pgqrs.workflow().name(name).store(store).trigger(None).execute()
    await drain_workflow(store, name, flow)
    with pytest.raises(pgqrs.PgqrsError, match="rolled back"):
        await pgqrs.run().message(bad).store(store).get()
    good = await pgqrs.workflow().name(name).store(store).trigger(None).execute()
    await drain_workflow(store, name, flow)
    out = await pgqrs.run().message(good).store(store).get()
    assert out["rows"] == 1, "the failed attempt's insert was rolled back with it"
    assert out["dialect"] in ("postgres", "sqlite")

    def bad_param(tx):
        tx.execute("SELECT 1", [object()])

    @workflow(name=name)
    async def flow2(ctx):
        await ctx.transaction_step("p", bad_param)

    m3 = await pgqrs.workflow().name(name).store(store).trigger(None).execute()
    await drain_workflow(store, name, flow2)
    with pytest.raises(pgqrs.PgqrsError, match="SQL parameters must be"):
        await pgqrs.run().message(m3).store(store).get()


def test_workflow_enums_are_shaped_like_the_originals():
    import enum

    s = pgqrs.WorkflowStatus.Success
    assert repr(s) == "WorkflowStatus.Success" and s == pgqrs.WorkflowStatus.Success
    assert s != pgqrs.WorkflowStatus.Error and not isinstance(s, enum.Enum)
    assert {s: 1}[pgqrs.WorkflowStatus.Success] == 1
    assert [m.name for m in pgqrs.WorkflowStatus._all()] == ["Queued", "Running", "Paused", "Cancelling",
                                                             "Cancelled", "Success", "Error"]
    assert repr(pgqrs.StepResultStatus.Execute) == "StepResultStatus.Execute"
    with pytest.raises(TypeError):
        pgqrs.WorkflowStatus()


async def test_runs_can_be_listed_by_status(store):
    name = wf_name()
    await pgqrs.workflow().name(name).store(store).create()
    m = await pgqrs.workflow().name(name).store(store).trigger(1).execute()
    r = await pgqrs.run().message(m).store(store).execute()
    await r.start()
    runs = await store.get_workflow_runs()
    assert [x.id for x in await runs.list(status=pgqrs.WorkflowStatus.Running)] == [r.id()]
    assert await runs.list(status=pgqrs.WorkflowStatus.Success) == []
    with pytest.raises(TypeError):
        await runs.list(status="nonsense")


async def test_a_run_claimed_with_the_last_completion_goes_back_undelivered_when_the_worker_is_interrupted(store):
    # The poll loop claims its next run in the statement that completes the current one. The worker is
    # interrupted during the first run: the run claimed with its completion is given back at once, its
    # delivery not counted, and the loop ends with the original's error.
    name = wf_name()
    await pgqrs.workflow().name(name).store(store).create()
    first = await pgqrs.workflow().name(name).store(store).trigger({"x": 1}).execute()
    second = await pgqrs.workflow().name(name).store(store).trigger({"x": 2}).execute()
    consumer = await store.consumer(name)
    executed = []

    @step
    async def double(ctx, x):
        return x * 2

    @workflow(name=name)
    async def flow(ctx, inp):
        executed.append(inp["x"])
        await consumer.interrupt()
        return await double(ctx, 21)

    task = asyncio.create_task(pgqrs.dequeue().worker(consumer).poll_interval(20).handle_workflow(flow).poll(store))
    with pytest.raises(pgqrs.PgqrsError, match="Operation suspended: worker interrupted"):
        await asyncio.wait_for(task, 60)
    assert executed == [1]
    assert await pgqrs.run().message(first).store(store).get() == 42
    left = await (await store.get_messages()).get(second.id)
    assert left.read_ct == 0
    assert left.consumer_worker_id is None
    # Its run exists: it was claimed (runs materialise at claim) with the first run's completion.
    assert len(await (await store.get_workflow_runs()).list(workflow=name)) == 2
