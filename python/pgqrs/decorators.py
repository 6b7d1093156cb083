"""Workflow and step decorators (spec §7.13), as the original's ``pgqrs.decorators``:

    @workflow(name="process_order")
    async def process_order(ctx: pgqrs.Run, order: dict) -> dict:
        items = await fetch_items(ctx, order["id"])
        return {"items": items}

    @step
    async def fetch_items(ctx: pgqrs.Run, order_id: int) -> list:
        ...

A step's result is stored under the function's name; when the run executes again (after a crash, a retry or
a pause) a step that succeeded returns its stored result without running. Executed by
``pgqrs.dequeue().worker(consumer).handle_workflow(process_order).poll(store)``.

Beyond the original: ``@step(retry=StepRetryPolicy(...))`` and ``@workflow(name=..., retry=...)`` apply a
retry policy; a workflow function taking only the run is called without the input; plain (non-async)
functions are accepted.
"""

from __future__ import annotations

import functools

from ._pgqrs import PausedError, RetriesExhaustedError, StepNotReadyError, TransientStepError, ValidationError
from ._util import _lazy
from ._workflow import Run, StepResultStatus, StepRetryPolicy, _resume_after_of

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from typing import Any, Callable, Optional
inspect = _lazy("inspect")

__all__ = ["WorkflowDef", "step", "workflow"]

# Exceptions that mean "not now" rather than "failed": re-raised without recording.
_NOT_FAILURES = (TransientStepError, StepNotReadyError, RetriesExhaustedError, PausedError)


async def _call_user(func: Callable, *args: Any, **kwargs: Any) -> Any:
    result = func(*args, **kwargs)
    if inspect.isawaitable(result):
        result = await result
    return result


def _takes_input(func: Callable) -> bool:
    """Whether the function accepts an argument after the run (so the trigger input is passed)."""
    try:
        params = list(inspect.signature(func).parameters.values())
    except (TypeError, ValueError):
        return True
    if any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in params):
        return True
    return len(params) >= 2


class WorkflowDef:
    """A decorated workflow: its ``name``, the runner ``run(ctx, *args)`` (also the call of the object) and
    the decorated function."""

    __slots__ = ("name", "run", "_func", "retry_policy")

    def __init__(self, name: str, run: Callable, func: Callable, retry_policy: Optional[StepRetryPolicy] = None):
        self.name, self.run, self._func, self.retry_policy = name, run, func, retry_policy

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.run(*args, **kwargs)

    def __repr__(self) -> str:
        return f"WorkflowDef(name={self.name!r})"


def workflow(*, name: str, retry: Optional[StepRetryPolicy] = None) -> Callable[[Callable], WorkflowDef]:
    """Declares a workflow; ``name`` is the workflow (and queue) name."""
    if not isinstance(name, str):
        raise TypeError("Workflow name must be a string")
    if not name:
        raise ValueError("Workflow name cannot be empty")

    def decorate(func: Callable) -> WorkflowDef:
        pass_input = _takes_input(func)

        async def runner(ctx: Run, *args: Any, **kwargs: Any) -> Any:
            if not isinstance(ctx, Run):
                raise TypeError(f"workflow '{name}' must be called with a pgqrs.Run first, got {type(ctx).__name__}")
            try:
                await ctx.start()
            except ValidationError as e:
                # Re-delivered after it completed (a crash before the archive): the steps replay.
                if "terminal SUCCESS" not in str(e):
                    raise
            if not args and not kwargs and ctx.input and pass_input:
                stored = ctx.input
                args = (stored["input"] if isinstance(stored, dict) and "input" in stored else stored,)
            try:
                result = await _call_user(func, ctx, *args, **kwargs)
            except _NOT_FAILURES:
                raise
            except Exception as exc:
                await ctx.fail(str(exc))
                raise
            await ctx.success(result)
            return result

        functools.update_wrapper(runner, func)
        return WorkflowDef(name, runner, func, retry)

    return decorate


def step(func: Optional[Callable] = None, *, retry: Optional[StepRetryPolicy] = None,
         name: Optional[str] = None) -> Any:
    """Declares a step: ``@step`` or ``@step(retry=StepRetryPolicy(...), name="...")``. The step name is the
    function's name unless given."""

    def decorate(f: Callable) -> Callable:
        step_name = name or f.__name__

        @functools.wraps(f)
        async def wrapper(ctx: Run, *args: Any, **kwargs: Any) -> Any:
            if not isinstance(ctx, Run):
                raise TypeError(f"step '{step_name}' must be called with a pgqrs.Run first, got {type(ctx).__name__}")
            acquired = await ctx.acquire_step(step_name, current_time=ctx.current_time, retry_policy=retry)
            if acquired.status == StepResultStatus.Skipped:
                return acquired.value
            guard = acquired.guard
            try:
                result = await _call_user(f, ctx, *args, **kwargs)
            except TransientStepError as e:
                await guard.fail_transient(getattr(e, "code", "TRANSIENT_ERROR"), str(e), getattr(e, "retry_after", None))
                raise
            except PausedError as e:
                if ctx._ex is not None:
                    # Inside a worker the step itself waits: it runs again once the pause is over.
                    await ctx._record_step_pause(step_name, str(e), _resume_after_of(e))
                raise
            except (StepNotReadyError, RetriesExhaustedError):
                raise
            except Exception as e:
                await guard.fail(str(e))
                raise
            await guard.success(result)
            return result

        return wrapper

    return decorate(func) if func is not None else decorate
