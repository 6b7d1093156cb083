"""``pgqrs.dequeue()``: the dequeue builder and its poll loop (spec §3.8, §10.12).

The loop is an asyncio loop: every step is one short native call (a status check and a claim, a heartbeat,
an archive) on the package's thread pool, or, for the claims and archives on PostgreSQL, on the loop's own
thread (``_util._hot``); the wait between empty polls is ``asyncio.sleep``, so a coroutine waiting for
messages holds no thread. While a handler runs, a companion task heartbeats and pushes the
leases of its messages forward, so a slow handler is neither reclaimed nor delivered twice.

How a loop ends:
* ``consumer.interrupt()`` (from any coroutine or process): base ``PgqrsError("Operation suspended: worker
  interrupted")``, worker left ``Suspended`` (as the original); ``suspend()``: "worker suspended".
* a handler exception: its messages are released (ready again now) and the loop ends with ``InternalError``
  (as the original), the handler's exception chained as ``__cause__``; the worker goes back to ``Ready``
  (the original leaves it ``Polling``, with no loop behind it).
* cancellation (``task.cancel()``, Ctrl-C under ``asyncio.run``): messages leased but not handled are released,
  the worker goes back to ``Ready`` and ``CancelledError`` propagates.
Database errors that may go away (``retryable``) do not end it: it waits them out with backoff.
"""

from __future__ import annotations

import time

from . import _pgqrs
from ._pgqrs import InternalError, QueueMessage, ValidationError
from ._util import _call, _call_to_completion, _hot, _lazy

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from typing import Any, Awaitable, Callable, List, Optional
asyncio = _lazy("asyncio")
inspect = _lazy("inspect")

# The original's texts.
_QUEUE_REQUIRED = 'Queue name is required. Use .from_queue("queue-name") or .worker(consumer)'
_ONE_HANDLER = "exactly one of handle(), handle_batch() or handle_workflow() is required"
# Backoff between attempts while the database is unreachable.
_MIN_PAUSE_S = 0.1
_MAX_PAUSE_S = 5.0


def _releaser(consumer_h) -> Callable[[List[QueueMessage]], Awaitable[None]]:
    """What undoes a claim whose caller was cancelled: its messages released."""

    async def release(msgs: List[QueueMessage]) -> None:
        await _release_quietly(consumer_h, [m.id for m in msgs])

    return release


async def _call_releasing(consumer_h, fn, start, *args) -> List[QueueMessage]:
    """A claim (``fn``, or its InlineCall ``start``: ``_hot``) that cancellation must not lose: cancelled
    meanwhile, its messages are released."""
    return await _hot(consumer_h.inline_calls, fn, start, *args, undo=_releaser(consumer_h))


async def _dispose(handle) -> None:
    # Releases what an ephemeral consumer still holds and marks it stopped, off the event loop.
    await asyncio.shield(_call(handle.dispose))


async def _ephemeral_consumer(store, queue: str):
    """A consumer of the caller's own (``__ephemeral__<uuid>``); disposed again if the caller is cancelled
    before it gets it."""
    return await _call_to_completion(_dispose, store._h.consumer_ephemeral, queue)


async def _release_quietly(consumer_h, ids: List[int]) -> None:
    """Gives messages back on a path that is already failing; a failure here must not hide that one (the
    leases then expire and the messages are delivered again)."""
    if not ids:
        return
    try:
        await _call(consumer_h.release_messages, ids)
    except Exception:
        pass


async def _run_handler(handler: Callable[[Any], Any], arg: Any) -> None:
    """Calls a coroutine function or a plain function; awaits what it returns if that is awaitable."""
    result = handler(arg)
    if inspect.isawaitable(result):
        await result


def _internal_error(exc: BaseException) -> InternalError:
    # The original turns a handler's Python exception into Error::Internal, whose text is the PyErr's.
    err = InternalError(f"Internal error: {type(exc).__name__}: {exc}")
    err.__cause__ = exc
    return err


class _Loop:
    """One run of poll()/execute() over a resolved consumer."""

    def __init__(self, store, consumer_h, builder: "DequeueBuilder") -> None:
        cfg = store._h.config
        self._store_h = store._h
        self._h = consumer_h
        self._inline = consumer_h.inline_calls  # claims and archives as InlineCalls (_util._hot)
        self._b = builder
        self._heartbeat_s = max(float(cfg.heartbeat_interval_seconds), 0.001)
        interval_ms = builder._poll_interval_ms if builder._poll_interval_ms is not None else cfg.poll_interval_ms
        self._interval_s = interval_ms / 1000.0
        lease_ms = _pgqrs.lease_ms_of(store._h, None, builder._at is not None)
        # Renew a third of a lease before it ends, and beat at least every heartbeat interval; with an
        # injected time (at()) leases are not renewed: they are in that clock, not the wall clock.
        self._keep_every_s = min(lease_ms / 3000.0, self._heartbeat_s)
        self._renew_ms = int(self._keep_every_s * 1000) if builder._at is None else 0

    async def _fetch(self, stopped_too: bool) -> List[QueueMessage]:
        b = self._b
        return await _call_releasing(self._h, _pgqrs.poll_fetch, _pgqrs.start_poll_fetch, self._store_h, self._h,
                                     b._batch, None, b._at, stopped_too)

    async def _keep_alive(self, ids: List[int]) -> None:
        while True:
            await asyncio.sleep(self._keep_every_s)
            try:
                await _call(_pgqrs.poll_renew, self._h, ids if self._renew_ms else [], self._renew_ms)
            except Exception:
                pass  # a missed renewal is retried next tick; the handler's outcome decides the rest

    async def handle(self, msgs: List[QueueMessage]) -> None:
        """Runs the handler with the leases kept alive; archives on success; releases and raises otherwise."""
        ids = [m.id for m in msgs]
        keeper = asyncio.create_task(self._keep_alive(ids))
        try:
            if self._b._handler is not None:
                await _run_handler(self._b._handler, msgs[0])
            else:
                await _run_handler(self._b._batch_handler, msgs)
        except BaseException as exc:
            keeper.cancel()
            await _release_quietly(self._h, ids)
            if isinstance(exc, Exception):
                raise _internal_error(exc) from exc
            raise
        keeper.cancel()
        try:
            # Ownership-checked: a message whose lease was lost is simply not archived.
            await _hot(self._inline, self._h.archive_many, self._h.start_archive_many, ids)
        except _pgqrs.PgqrsError as exc:
            # The database is away: the leases expire and the messages are delivered again (at least once),
            # as the C++ loops do.
            if not getattr(exc, "retryable", False):
                raise

    async def wait(self) -> None:
        """Sleeps one poll interval; beats and re-checks the worker's status every heartbeat interval."""
        deadline = time.monotonic() + self._interval_s
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            if left <= self._heartbeat_s:
                await asyncio.sleep(left)
                return
            await asyncio.sleep(self._heartbeat_s)
            await _call(_pgqrs.poll_idle, self._h)

    async def finish(self) -> None:
        """polling → ready on the way out of an unfinished loop (cancellation, handler failure)."""
        try:
            await _call(_pgqrs.poll_end, self._h)
        except Exception:
            pass  # interrupted/suspended/stopped meanwhile: that state stands

    async def poll(self) -> None:
        await self.run_loop(lambda: self._fetch(True), self.handle)

    async def run_loop(self, fetch: Callable[[], Awaitable[Any]], act: Callable[[Any], Awaitable[None]]) -> None:
        """The poll loop of messages and of workflow runs: the worker polling while it runs, ``fetch()`` one
        claim (falsy: nothing ready, wait a poll interval), ``act(claimed)`` on what it got. Ends with the
        original's error when the worker is interrupted or suspended, with ``act``'s failure, or on
        cancellation (the worker is moved back to ready then)."""
        # Cancelled while the worker is being moved to polling, it is moved back once that is done.
        await _call_to_completion(lambda _: self.finish(), _pgqrs.poll_begin, self._h)
        pause = _MIN_PAUSE_S
        try:
            while True:
                try:
                    got = await fetch()
                    if not got:
                        await self.wait()
                    pause = _MIN_PAUSE_S
                except _pgqrs.PgqrsError as exc:
                    # A restarting server, a failover, a busy database: wait it out with the same worker, as
                    # the C++ loops do (DESIGN decision 7). Leases already taken expire on their own.
                    if not getattr(exc, "retryable", False):
                        raise
                    await asyncio.sleep(pause)
                    pause = min(pause * 2, _MAX_PAUSE_S)
                    continue
                if got:
                    await act(got)
        except _pgqrs.PgqrsError as exc:
            if not _is_suspension(exc):
                await self.finish()
            raise
        except BaseException:
            await self.finish()
            raise

    async def execute(self) -> bool:
        msgs = await self._fetch(False)
        if not msgs:
            return False
        await self.handle(msgs)
        return True


def _is_suspension(exc: BaseException) -> bool:
    return type(exc) is _pgqrs.PgqrsError and str(exc).startswith("Operation suspended:")


class DequeueBuilder:
    """Fluent builder of a dequeue loop: ``pgqrs.dequeue().from_queue("q").handle(fn).poll(store)``."""

    # The workflow loop (pgqrs._workflow._workflow_poll / _workflow_execute) reads _workflow, _at and the
    # loop's consumer handle.
    __slots__ = ("_consumer", "_queue", "_batch", "_poll_interval_ms", "_at", "_handler", "_batch_handler",
                 "_workflow")

    def __init__(self) -> None:
        self._consumer = None
        self._queue: Optional[str] = None
        self._batch = 1
        self._poll_interval_ms: Optional[int] = None
        self._at: Optional[str] = None
        self._handler: Optional[Callable[[QueueMessage], Any]] = None
        self._batch_handler: Optional[Callable[[List[QueueMessage]], Any]] = None
        self._workflow: Any = None

    def worker(self, consumer) -> "DequeueBuilder":
        from ._queue import Consumer

        if not isinstance(consumer, Consumer):
            raise TypeError(f"worker() needs a pgqrs.Consumer, got {type(consumer).__name__}")
        self._consumer = consumer
        return self

    def batch(self, size: int) -> "DequeueBuilder":
        """Messages per fetch; values below 1 become 1 (as the original)."""
        self._batch = max(1, _non_negative_int(size, "size"))
        return self

    def from_queue(self, queue: str) -> "DequeueBuilder":
        if not isinstance(queue, str):
            raise TypeError(f"from_queue() needs a str, got {type(queue).__name__}")
        self._queue = queue
        return self

    def poll_interval(self, interval_ms: int) -> "DequeueBuilder":
        self._poll_interval_ms = _non_negative_int(interval_ms, "interval_ms")
        return self

    def at(self, time: str) -> "DequeueBuilder":
        """Claims as if the time were ``time`` (RFC 3339); leases then last 5 s of that clock. ValueError."""
        if not isinstance(time, str):
            raise TypeError(f"at() needs an RFC 3339 str, got {type(time).__name__}")
        self._at = _pgqrs.check_time(time)
        return self

    def handle(self, handler: Callable[[QueueMessage], Any]) -> "DequeueBuilder":
        self._handler = _callable(handler)
        return self

    def handle_batch(self, handler: Callable[[List[QueueMessage]], Any]) -> "DequeueBuilder":
        self._batch_handler = _callable(handler)
        return self

    def handle_workflow(self, workflow: Any) -> "DequeueBuilder":
        self._workflow = workflow
        return self

    @property
    def queue(self) -> Optional[str]:
        return self._queue

    @property
    def batch_size(self) -> int:
        return self._batch

    @property
    def poll_interval_ms(self) -> Optional[int]:
        return self._poll_interval_ms

    def has_worker(self) -> bool:
        return self._consumer is not None

    def _check(self, store) -> None:
        from ._queue import Store

        if not isinstance(store, Store):
            raise TypeError(f"poll() needs a pgqrs.Store, got {type(store).__name__}")
        handlers = sum(h is not None for h in (self._handler, self._batch_handler, self._workflow))
        if handlers != 1:
            raise ValueError(_ONE_HANDLER)
        if self._handler is not None and self._batch != 1:
            raise ValidationError(
                f"Validation failed: single-message handlers require batch size = 1, got {self._batch}")
        if self._consumer is None and self._queue is None and self._workflow is None:
            raise ValueError(_QUEUE_REQUIRED)

    async def _run(self, store, how: Callable[[_Loop], Awaitable[Any]]) -> Any:
        if self._consumer is not None:
            return await how(_Loop(store, self._consumer._h, self))
        # As the original's from(queue): a consumer of its own for this call, cleaned up (leases released,
        # marked stopped) when the call ends, however it ends.
        handle = await _ephemeral_consumer(store, self._queue)
        try:
            return await how(_Loop(store, handle, self))
        finally:
            await _dispose(handle)

    async def poll(self, store) -> None:
        """Runs the handler over messages as they arrive until the worker is interrupted or suspended (raises
        base PgqrsError "Operation suspended: …"), a handler fails (InternalError), or the task is cancelled."""
        self._check(store)
        if self._workflow is not None:
            from ._workflow import _workflow_poll

            return await self._run(store, lambda loop: _workflow_poll(store, self, loop))
        return await self._run(store, _Loop.poll)

    async def execute(self, store) -> Any:
        """One immediate fetch; if it leased something, handles it. Returns whether a message (batch) was handled
        (beyond the original, which has no execute())."""
        self._check(store)
        if self._workflow is not None:
            from ._workflow import _workflow_execute

            return await self._run(store, lambda loop: _workflow_execute(store, self, loop))
        return await self._run(store, _Loop.execute)

    def __repr__(self) -> str:
        return (f"DequeueBuilder(queue={self._queue!r}, batch_size={self._batch}, "
                f"poll_interval_ms={self._poll_interval_ms!r}, has_worker={self.has_worker()})")


def _non_negative_int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an int, got {type(value).__name__}")
    if value < 0:
        raise OverflowError(f"{what} must be non-negative, got {value}")
    return value


def _callable(handler: Any) -> Any:
    if not callable(handler):
        raise TypeError(f"handler must be callable, got {type(handler).__name__}")
    return handler


def dequeue(*args: Any, **kwargs: Any):
    """``dequeue()`` returns a DequeueBuilder; ``dequeue(consumer, batch_size)`` leases messages (awaitable)."""
    if not args and not kwargs:
        return DequeueBuilder()
    from ._queue import dequeue as dequeue_messages

    return dequeue_messages(*args, **kwargs)


def dequeue_builder() -> DequeueBuilder:
    """The same builder as ``dequeue()`` (the original returns the native object the wrapper holds)."""
    return DequeueBuilder()
