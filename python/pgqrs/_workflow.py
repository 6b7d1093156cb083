"""Durable workflows (spec §7, §10.11): the workflow, run and step builders, ``Run``, ``StepGuard``,
``StepResult``, the retry policy types, and the worker loop behind ``dequeue().handle_workflow(wf).poll()``.

A ``Run`` is backed in one of two ways:

- **from outside a worker** (``run().message(m).store(s).execute()``, ``Admin.create_workflow``): every call
  acts on the database rows, as the original's do (no lease). Unlike the original, ``complete``/``fail``/
  ``pause`` never overwrite a finished run, and a pending cancel wins over a completion.
- **inside the worker loop** (``handle_workflow``): the run is claimed under its message's lease and executed
  by the C++ engine step by step (``_pgqrs.RunExecution``): checkpoints read once at claim, one fenced
  statement per step result, completion and archive in one statement, waits (retry, pause, sleep) give the
  run back until they are due. When the engine ends an execution (a wait, a cancel, a lost lease) the
  workflow code is unwound with ``RunStopped``, a ``BaseException`` so that ``except Exception`` in user code
  does not swallow it.
"""

from __future__ import annotations

import math

from . import _pgqrs
from ._pgqrs import (
    PausedError,
    PgqrsError,
    QueueMessage,
    RetriesExhaustedError,
    RunRecord,
    StepNotReadyError,
    StepRecord,
    TimeoutError,
    TransientStepError,
    WorkflowRecord,
)
from ._enums import StepResultStatus, WorkflowStatus
from ._util import _call, _dumps, _hot, _lazy

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from typing import Any, Callable, List, Optional
asyncio = _lazy("asyncio")
inspect = _lazy("inspect")
json = _lazy("json")


class RunStopped(BaseException):
    """The engine ended this execution of the run (it waits for a retry, a sleep or a pause; it was
    cancelled; another worker holds it now). Raised through workflow code to stop it; the worker loop
    handles it. Deliberately not an ``Exception``."""


def _check_time(text: Optional[str]) -> Optional[str]:
    """An RFC 3339 time as given, checked by the parser the native calls use. Raises TypeError, ValueError."""
    if text is None:
        return None
    if not isinstance(text, str):
        raise TypeError(f"time must be an RFC 3339 string, got {type(text).__name__}")
    _pgqrs.check_time(text)
    return text


def _seconds(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise ValueError(f"Invalid {what}")
    return float(value)


# ---------------------------------------------------------------- retry policy


class BackoffStrategy:
    """Delay between retries of a transiently failing step (the original's constructors)."""

    __slots__ = ("_kind", "_base", "_max")

    def __init__(self, kind: str, base_seconds: int, max_seconds: int) -> None:
        self._kind, self._base, self._max = kind, int(base_seconds), int(max_seconds)

    @staticmethod
    def fixed(delay_seconds: int) -> "BackoffStrategy":
        return BackoffStrategy("fixed", delay_seconds, delay_seconds)

    @staticmethod
    def exponential(base_seconds: int, max_seconds: int) -> "BackoffStrategy":
        return BackoffStrategy("exponential", base_seconds, max_seconds)

    @staticmethod
    def exponential_with_jitter(base_seconds: int, max_seconds: int) -> "BackoffStrategy":
        return BackoffStrategy("exponential_with_jitter", base_seconds, max_seconds)

    def __repr__(self) -> str:
        if self._kind == "fixed":
            return f"BackoffStrategy.fixed({self._base})"
        return f"BackoffStrategy.{self._kind}({self._base}, {self._max})"


class StepRetryPolicy:
    """How often and when a step that failed transiently runs again. Unlike the original's, it is applied:
    pass it to ``@step(retry=...)``, ``@workflow(name=..., retry=...)``, ``acquire_step(..., retry_policy=...)``
    or ``step().retry_policy(...)``. Default: 3 retries, exponential with jitter from 1 s to 60 s."""

    __slots__ = ("_max_attempts", "_backoff", "_native")

    def __init__(self, max_attempts: int = 3, backoff: Optional[BackoffStrategy] = None) -> None:
        if isinstance(max_attempts, bool) or not isinstance(max_attempts, int) or max_attempts < 0:
            raise ValueError("max_attempts must be an int >= 0")
        self._max_attempts = max_attempts
        self._backoff = backoff or BackoffStrategy.exponential_with_jitter(1, 60)
        b = self._backoff
        self._native = _pgqrs.RetryPolicy.make(b._kind, b._base, b._max, max_attempts)

    @property
    def max_attempts(self) -> int:
        return self._max_attempts

    @property
    def backoff(self) -> BackoffStrategy:
        return self._backoff

    def __repr__(self) -> str:
        return f"StepRetryPolicy(max_attempts={self._max_attempts}, backoff={self._backoff!r})"


def _native_policy(policy: Optional[StepRetryPolicy]):
    if policy is None:
        return None
    if not isinstance(policy, StepRetryPolicy):
        raise TypeError(f"retry policy must be a pgqrs.StepRetryPolicy, got {type(policy).__name__}")
    return policy._native


# ---------------------------------------------------------------- steps


class StepResult:
    """The result of ``acquire_step``: ``Skipped`` with the stored ``value``, or ``Execute`` with a ``guard``."""

    __slots__ = ("status", "value", "guard")

    def __init__(self, status: StepResultStatus, value: Any, guard: Optional["StepGuard"]) -> None:
        self.status, self.value, self.guard = status, value, guard

    def __repr__(self) -> str:
        return f"StepResult(status={self.status}, value={self.value!r})"


class StepGuard:
    """Records the outcome of one acquired step: ``success``, ``fail`` or ``fail_transient``."""

    __slots__ = ("_run", "_name", "_time", "_policy")

    def __init__(self, run: "Run", name: str, current_time: Optional[str], policy) -> None:
        self._run, self._name, self._time, self._policy = run, name, current_time, policy

    async def success(self, result: Any) -> None:
        await self._run._record_step_success(self._name, result)

    async def fail(self, error: str) -> None:
        """A permanent failure (the next acquisition raises RetriesExhaustedError)."""
        await self._run._record_step_failure(self._name, error, self._time, self._policy)

    async def fail_transient(self, code: str, message: str, retry_after: Optional[float] = None) -> None:
        """A failure that may pass: a retry is scheduled (``retry_after`` seconds, else the policy's delay)
        until the policy's attempts are used up."""
        if retry_after is not None:
            retry_after = _seconds(retry_after, "retry_after")
        await self._run._record_step_transient(self._name, str(code), str(message), retry_after, self._time,
                                               self._policy)


# ---------------------------------------------------------------- runs


class Run:
    """A workflow run. Obtained from ``pgqrs.run().message(msg).store(store).execute()``,
    ``Admin.create_workflow``, or as the argument of a workflow executed by ``handle_workflow``."""

    # _next: inside a worker loop, where success()/fail() put the worker's next run, claimed by the same
    # statement that records the end of this one (None: record the end only).
    __slots__ = ("_store", "_record", "_time", "_ex", "_next")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError("Direct Run creation is disabled. Use pgqrs.run().message(msg).store(store).execute().")

    @classmethod
    def _make(cls, store, record: RunRecord, ex=None, time: Optional[str] = None,
              next_slot: Optional[List[Any]] = None) -> "Run":
        self = object.__new__(cls)
        self._store, self._record, self._ex, self._time, self._next = store, record, ex, time, next_slot
        return self

    # -- the original's surface

    def id(self) -> int:
        return self._record.id

    @property
    def current_time(self) -> Optional[str]:
        return self._time

    @property
    def input(self) -> Any:
        """The run's stored input: the whole trigger payload ``{"input": …}``."""
        return self._record.input

    def with_time(self, current_time: str) -> "Run":
        return Run._make(self._store, self._record, self._ex, _check_time(current_time), self._next)

    async def start(self) -> bool:
        """QUEUED/PAUSED → RUNNING. Raises ValidationError for a finished or cancelling run."""
        if self._ex is None:
            self._record = await _call(_pgqrs.run_start, self._store._h, self._record.message_id)
        return True

    async def success(self, result: Any) -> bool:
        """Completes the run with ``result`` (a finished run is left as it is)."""
        if self._ex is not None:
            ex = self._ex
            await self._end(ex.complete, ex.complete_and_claim_next, ex.start_complete_and_claim_next, _dumps(result))
        else:
            self._record = await _call(_pgqrs.run_complete, self._store._h, self._record.message_id, _dumps(result))
        return True

    complete = success

    async def fail(self, error: str) -> bool:
        """Fails the run with ``error`` (stored as a JSON string; a finished run is left as it is)."""
        if self._ex is not None:
            ex = self._ex
            await self._end(ex.fail, ex.fail_and_claim_next, ex.start_fail_and_claim_next, _dumps(error))
        else:
            self._record = await _call(_pgqrs.run_fail, self._store._h, self._record.message_id, _dumps(error))
        return True

    async def _end(self, record_end, record_end_and_claim, start_end_and_claim, text: str) -> None:
        if self._next is None:
            await _call(record_end, text)
            return
        nxt = await _hot(self._store._h.inline_calls, record_end_and_claim, start_end_and_claim, text)
        if nxt is not None:
            self._next.append(nxt)

    async def pause(self, message: str, resume_after_seconds: float) -> bool:
        """Pauses the run (PAUSED, ``error = {"message", "resume_after"}``). Inside a worker the run is given
        back until then (or ``resume()``) and continues from this call, which then returns."""
        secs = _seconds(resume_after_seconds, "resume_after")
        if self._ex is not None:
            if not await _call(self._ex.pause, str(message), secs):
                raise RunStopped("paused")
        else:
            self._record = await _call(_pgqrs.run_pause, self._store._h, self._record.message_id, str(message), secs)
        return True

    async def cancel(self) -> bool:
        """Requests cancellation: the run becomes CANCELLED at its next step boundary."""
        await _call(_pgqrs.run_cancel, self._store._h, self._record.message_id)
        return True

    async def refresh(self) -> "Run":
        record = await _call(_pgqrs.run_get, self._store._h, self._record.id)
        return Run._make(self._store, record or self._record, self._ex, self._time)

    async def acquire_step(self, step_name: str, current_time: Optional[str] = None,
                           retry_policy: Optional[StepRetryPolicy] = None) -> StepResult:
        """Starts step ``step_name``: ``Skipped`` with its stored value if it succeeded before, else ``Execute``
        with a guard to record the outcome. Raises StepNotReadyError (retry not due), RetriesExhaustedError."""
        _check_name(step_name)
        policy = _native_policy(retry_policy)
        when = _check_time(current_time) or self._time
        if self._ex is not None:
            ex = self._ex
            started = ex.try_begin_step(step_name)  # no database write: no thread hop
            if started is None:
                started = await _call(ex.begin_step, step_name)
            self._stop_unless_running()
            done, output = started
        else:
            execute, output = await _call(_pgqrs.step_acquire, self._store._h, self._record.id, step_name, when, policy)
            done = not execute
        if done:
            return StepResult(StepResultStatus.Skipped, json.loads(output), None)
        return StepResult(StepResultStatus.Execute, None, StepGuard(self, step_name, when, policy))

    async def complete_step(self, step_name: str, output: Any) -> None:
        _check_name(step_name)
        await self._record_step_success(step_name, output)

    async def fail_step(self, step_name: str, error: Any, current_time: Optional[str] = None) -> None:
        """Records a step failure from its error JSON: with ``"is_transient": True`` a retry is scheduled."""
        _check_name(step_name)
        await self._record_step_failure(step_name, error, _check_time(current_time) or self._time, None)

    # -- beyond the original

    @property
    def message_id(self) -> int:
        return self._record.message_id

    @property
    def record(self) -> RunRecord:
        """The run's row as this handle last read it (see ``refresh``)."""
        return self._record

    async def resume(self) -> bool:
        """Ends a pause, sleep or retry wait now. False when the run is not waiting."""
        return await _call(_pgqrs.run_resume, self._store._h, self._record.message_id)

    async def sleep(self, step_name: str, seconds: float) -> None:
        """Durable sleep (inside a worker): the wake time is stored once as step ``step_name``; the run is
        given back until then and continues from here."""
        if self._ex is None:
            raise PgqrsError("sleep() needs a run executed by a worker (handle_workflow)")
        _check_name(step_name)
        if not await _call(self._ex.sleep, step_name, _seconds(seconds, "duration")):
            raise RunStopped("sleeping")

    async def transaction_step(self, step_name: str, fn: Callable[[Any], Any],
                               retry_policy: Optional[StepRetryPolicy] = None) -> Any:
        """A step whose SQL commits in the same database transaction as its checkpoint (inside a worker): the
        side effect and the record that the step ran exist together or not at all. ``fn(tx)`` is a plain
        function run on a worker thread; ``tx.execute(sql, params)`` runs one statement with bound parameters
        (``$1, $2`` on PostgreSQL, ``?1, ?2`` on SQLite; ``tx.dialect`` says which) and returns
        ``(rows, affected)``. Its result is the step's output; a step that succeeded before returns that."""
        if self._ex is None:
            raise PgqrsError("transaction_step() needs a run executed by a worker (handle_workflow)")
        _check_name(step_name)
        out = await _call(self._ex.transaction_step, step_name, fn, _native_policy(retry_policy))
        self._stop_unless_running()
        return json.loads(out)

    async def steps(self) -> List[StepRecord]:
        return await _call(_pgqrs.step_list, self._store._h, self._record.id)

    def __repr__(self) -> str:
        return f"Run(id={self._record.id}, message_id={self._record.message_id})"

    # -- recording, for StepGuard

    def _stop_unless_running(self) -> None:
        if self._ex is not None and self._ex.state != "running":
            raise RunStopped(self._ex.state)

    async def _record_step_success(self, name: str, result: Any) -> None:
        if self._ex is not None:
            ex = self._ex
            await _hot(self._store._h.inline_calls, ex.complete_step, ex.start_complete_step, name, _dumps(result))
            self._stop_unless_running()
        else:
            await _call(_pgqrs.step_complete, self._store._h, self._record.id, name, _dumps(result), self._time)

    async def _record_step_failure(self, name: str, error: Any, when: Optional[str], policy) -> None:
        """A failure from its error value (the original's fail_with_json): transient with ``is_transient``."""
        error_json = _dumps(error)
        if self._ex is None:
            await _call(_pgqrs.step_fail, self._store._h, self._record.id, name, error_json, when, policy)
            return
        if isinstance(error, dict) and error.get("is_transient"):
            retry_after = error.get("retry_after")
            if isinstance(retry_after, dict):
                retry_after = retry_after.get("secs", 0) + retry_after.get("nanos", 0) / 1e9
            await self._record_step_transient(name, str(error.get("code", "TRANSIENT_ERROR")),
                                              str(error.get("message", "")), retry_after, when, policy)
            return
        await _call(self._ex.fail_step, name, "permanent", "NON_RETRYABLE", error_json, None, policy)
        self._stop_unless_running()

    async def _record_step_transient(self, name: str, code: str, message: str, retry_after: Optional[float],
                                     when: Optional[str], policy) -> None:
        if self._ex is not None:
            await _call(self._ex.fail_step, name, "transient", code, message, retry_after, policy)
            self._stop_unless_running()
            return
        error = {"is_transient": True, "code": code, "message": message,
                 "retry_after": None if retry_after is None else _duration_json(retry_after)}
        await _call(_pgqrs.step_fail, self._store._h, self._record.id, name, _dumps(error), when, policy)

    async def _record_step_pause(self, name: str, message: str, resume_after: float) -> None:
        await _call(self._ex.fail_step, name, "pause", "PAUSED", message, resume_after, None)
        self._stop_unless_running()


# A PausedError without a resume_after attribute pauses until run().resume() (ten years, in effect).
_UNTIL_RESUMED_S = 10 * 365 * 86400.0


def _resume_after_of(e: BaseException) -> float:
    """How long a raised PausedError pauses: its ``resume_after`` attribute (seconds), else until resumed."""
    return _seconds(getattr(e, "resume_after", None) or _UNTIL_RESUMED_S, "resume_after")


def _duration_json(seconds: float) -> dict:
    """A duration as the original stores it: ``{"secs": …, "nanos": …}``."""
    whole = int(seconds)
    return {"secs": whole, "nanos": int(round((seconds - whole) * 1e9))}


def _check_name(name: str) -> None:
    if not isinstance(name, str):
        raise TypeError(f"step name must be a str, got {type(name).__name__}")


# ---------------------------------------------------------------- builders


class WorkflowTriggerBuilder:
    """``workflow().name(n).store(s).trigger(input)``: ``await .execute()`` enqueues ``{"input": input}``."""

    __slots__ = ("_store", "_name", "_input", "_key", "_delay", "_producer")

    def __init__(self, store, name: str, input_json: str) -> None:
        self._store, self._name, self._input = store, name, input_json
        self._key: Optional[str] = None
        self._delay = 0.0
        self._producer = None

    def key(self, key: str) -> "WorkflowTriggerBuilder":
        """Idempotent start: a second trigger with the same key returns the first one's message."""
        if not isinstance(key, str) or not key:
            raise ValueError("key must be a non-empty str")
        self._key = key
        return self

    def delay(self, seconds: float) -> "WorkflowTriggerBuilder":
        self._delay = _seconds(seconds, "delay")
        return self

    def producer(self, producer) -> "WorkflowTriggerBuilder":
        self._producer = producer
        return self

    async def execute(self) -> QueueMessage:
        if self._store is None:
            raise ValueError("store is required")
        if self._name is None:
            raise ValueError("name is required")
        via = None if self._producer is None else self._producer._h
        return await _call(_pgqrs.workflow_trigger, self._store._h, self._name, self._input, self._key,
                           self._delay, via)


class WorkflowBuilder:
    """``pgqrs.workflow().name(n).store(s)``: ``create()`` a definition, ``trigger(input)`` runs."""

    __slots__ = ("_name", "_store")

    def __init__(self) -> None:
        self._name: Optional[str] = None
        self._store = None

    def name(self, name: str) -> "WorkflowBuilder":
        if not isinstance(name, str):
            raise TypeError(f"workflow name must be a str, got {type(name).__name__}")
        self._name = name
        return self

    def store(self, store) -> "WorkflowBuilder":
        self._store = store
        return self

    def id(self, _id: int) -> "WorkflowBuilder":
        """Accepted for compatibility; ignored (as by the original)."""
        return self

    def _require(self):
        if self._store is None:
            raise ValueError("store is required")
        if self._name is None:
            raise ValueError("name is required")
        return self._store, self._name

    async def create(self, exist_ok: bool = False) -> WorkflowRecord:
        """Creates the definition (and its queue). As the original, an existing definition raises
        PgqrsError "Workflow '<name>' already exists"; ``exist_ok=True`` returns it instead."""
        store, name = self._require()
        return await _call(_pgqrs.workflow_create, store._h, name, not exist_ok)

    def trigger(self, input: Any) -> WorkflowTriggerBuilder:
        """The trigger (as the original, a missing store or name is reported by its ``execute()``)."""
        return WorkflowTriggerBuilder(self._store, self._name, _dumps(input))


class RunBuilder:
    """``pgqrs.run().message(msg).store(s)``: the run of a trigger message."""

    __slots__ = ("_message", "_store")

    def __init__(self) -> None:
        self._message: Optional[QueueMessage] = None
        self._store = None

    def message(self, message: QueueMessage) -> "RunBuilder":
        if not isinstance(message, QueueMessage):
            raise TypeError(f"message must be a pgqrs.QueueMessage, got {type(message).__name__}")
        self._message = message
        return self

    def store(self, store) -> "RunBuilder":
        self._store = store
        return self

    def _require(self):
        if self._store is None:
            raise ValueError("store is required")
        if self._message is None:
            raise ValueError("message is required")
        return self._store, self._message.id

    async def execute(self) -> Run:
        """The run of the message, created QUEUED if no worker picked it up yet."""
        store, mid = self._require()
        return Run._make(store, await _call(_pgqrs.run_materialise, store._h, mid))

    async def get(self) -> Optional[Any]:
        """The output once SUCCESS, None while not finished. Raises PgqrsError for a failed or cancelled run."""
        store, mid = self._require()
        out = await _call(_pgqrs.run_get_output, store._h, mid)
        return None if out is None else json.loads(out)

    async def result(self, timeout: Optional[float] = None) -> Any:
        """Waits until the run is finished (checking with growing intervals, without holding a thread) and
        returns like ``get()``. Raises pgqrs.TimeoutError after ``timeout`` seconds."""
        store, mid = self._require()
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + _seconds(timeout, "timeout")
        wait = 0.01
        while True:
            out = await _call(_pgqrs.run_get_output, store._h, mid)
            if out is not None:
                return json.loads(out)
            if deadline is not None and loop.time() >= deadline:
                raise TimeoutError(f"Operation timeout: waiting for the result of the run of message {mid}")
            pause = wait if deadline is None else min(wait, max(0.0, deadline - loop.time()))
            await asyncio.sleep(pause)
            wait = min(wait * 2, 0.5)


class StepBuilder:
    """``pgqrs.step().run(run).name(n)``: ``await .execute()`` acquires the step (a StepResult)."""

    __slots__ = ("_run", "_name", "_time", "_policy")

    def __init__(self) -> None:
        self._run: Optional[Run] = None
        self._name: Optional[str] = None
        self._time: Optional[str] = None
        self._policy: Optional[StepRetryPolicy] = None

    def run(self, run: Run) -> "StepBuilder":
        if not isinstance(run, Run):
            raise TypeError(f"run must be a pgqrs.Run, got {type(run).__name__}")
        self._run = run
        return self

    def name(self, name: str) -> "StepBuilder":
        self._name = name
        return self

    id = name  # the original's alias

    def with_time(self, current_time: str) -> "StepBuilder":
        self._time = _check_time(current_time)
        return self

    def retry_policy(self, policy: StepRetryPolicy) -> "StepBuilder":
        self._policy = policy
        return self

    async def execute(self) -> StepResult:
        if self._run is None:
            raise PgqrsError("Run is required")
        if not self._name:
            raise PgqrsError("Step name is required")
        return await self._run.acquire_step(self._name, current_time=self._time, retry_policy=self._policy)


def workflow() -> WorkflowBuilder:
    return WorkflowBuilder()


def run() -> RunBuilder:
    return RunBuilder()


def step() -> StepBuilder:
    return StepBuilder()


# ---------------------------------------------------------------- admin and tables


async def _admin_create_workflow(store, name: str, arg: Any = None) -> Run:
    """``Admin.create_workflow``: the definition (non-idempotent, as the original), a trigger, its run."""
    await _call(_pgqrs.workflow_create, store._h, name, True)
    if arg is None:
        raise RuntimeError("create_workflow in Python must have an arg to trigger a run")
    message = await _call(_pgqrs.workflow_trigger, store._h, name, _dumps(arg), None, 0.0, None)
    return Run._make(store, await _call(_pgqrs.run_materialise, store._h, message.id))


class Workflows:
    """``await store.get_workflows()``: the workflow definitions."""

    __slots__ = ("_store",)

    def __init__(self, store) -> None:
        self._store = store

    async def get_by_name(self, name: str) -> WorkflowRecord:
        record = await _call(_pgqrs.workflow_get, self._store._h, name)
        if record is None:
            raise PgqrsError(f"Workflow with id '{name}' not found")
        return record

    async def list(self) -> List[WorkflowRecord]:
        return await _call(_pgqrs.workflow_list, self._store._h)

    async def count(self) -> int:
        return len(await self.list())


class WorkflowRuns:
    """``await store.get_workflow_runs()``: runs, newest first."""

    __slots__ = ("_store",)

    def __init__(self, store) -> None:
        self._store = store

    async def list(self, workflow: Optional[str] = None, status: Optional[WorkflowStatus] = None,
                   limit: int = 1000) -> List[RunRecord]:
        return await _call(_pgqrs.run_list, self._store._h, workflow, status, limit)

    async def get(self, run_id: int) -> RunRecord:
        record = await _call(_pgqrs.run_get, self._store._h, run_id)
        if record is None:
            raise PgqrsError(f"Run with id '{run_id}' not found")
        return record

    async def count(self) -> int:
        return len(await self.list())


class WorkflowSteps:
    """``await store.get_workflow_steps()``: step checkpoints, newest first."""

    __slots__ = ("_store",)

    def __init__(self, store) -> None:
        self._store = store

    async def list(self, run_id: Optional[int] = None) -> List[StepRecord]:
        if run_id is not None:
            return await _call(_pgqrs.step_list, self._store._h, run_id)

        def all_steps():
            runs = _pgqrs.run_list(self._store._h, None, None, 1000)
            steps = [s for r in runs for s in _pgqrs.step_list(self._store._h, r.id)]
            return sorted(steps, key=lambda s: (s.created_at, s.id), reverse=True)

        return await _call(all_steps)


# ---------------------------------------------------------------- the worker loop


def _policy_of(wf) -> Any:
    return _native_policy(getattr(wf, "retry_policy", None))


async def _execute_claimed(store, wf, ex, claim_next: bool = False) -> Any:
    """Runs the workflow code on a claimed run and records how it ended, unless the engine already did. With
    ``claim_next``, the statement that records the end also claims the worker's next run: returned (or None)."""
    slot: Optional[List[Any]] = [] if claim_next else None
    run = Run._make(store, ex.record, ex, None, slot)
    try:
        result = wf(run)
        if inspect.isawaitable(result):
            result = await result
    except RunStopped:
        pass
    except PausedError as e:
        if ex.state == "running":
            # A pause requested by an exception that ended the code: the next execution starts over.
            await _call(ex.suspend, str(e), _resume_after_of(e))
    except (TransientStepError, StepNotReadyError) as e:
        if ex.state == "running":
            await _call(ex.give_back, _seconds(getattr(e, "retry_after", None) or 1.0, "retry_after"))
    except Exception as e:  # the workflow failed: record it (unless its code did), keep the loop going
        if ex.state == "running":
            await run.fail(str(e))
    except BaseException:
        # Shutdown (Ctrl-C, task cancelled) or a simulated crash: give the run back at once, and the next one.
        if ex.state == "running":
            ex.give_back(0.0)
        for nxt in slot or ():
            nxt.give_back(0.0)
        raise
    else:
        if ex.state == "running":
            await run.success(result)
    return slot[0] if slot else None


async def _claim(store, consumer_h, wf, at: Optional[str]):
    """One claim of a ready run of the consumer's workflow (its queue's), under a 30 s lease; None if none."""
    x = _pgqrs.RunExecution
    return await _hot(store._h.inline_calls, x.claim, x.start_claim, store._h, consumer_h.queue_name, consumer_h,
                      30.0, at, _policy_of(wf))


async def _workflow_poll(store, builder, loop) -> None:
    """``dequeue().handle_workflow(wf).poll(store)``: the dequeue builder's poll loop (worker polling,
    heartbeats while idle, the original's errors on interrupt and suspend, database outages waited out) over
    claims of runs. A failing run is recorded and the loop goes on (the original's loop ended on it)."""
    wf = builder._workflow
    # The next run, claimed by the statement that recorded the end of the last one (one commit per run fewer).
    pending: List[Any] = []

    async def fetch():
        if pending:
            return pending.pop()
        return await _claim(store, loop._h, wf, builder._at)

    async def act(ex) -> None:
        nxt = await _execute_claimed(store, wf, ex, claim_next=True)
        if nxt is not None:
            pending.append(nxt)

    try:
        await loop.run_loop(fetch, act)
    finally:
        for ex in pending:  # claimed with the last completion, never executed: back at once, undelivered
            ex.give_back(0.0)


async def _workflow_execute(store, builder, loop) -> bool:
    """``dequeue().handle_workflow(wf).execute(store)``: one claim; executes the run if there was one."""
    ex = await _claim(store, loop._h, builder._workflow, builder._at)
    if ex is None:
        return False
    await _execute_claimed(store, builder._workflow, ex)
    return True
