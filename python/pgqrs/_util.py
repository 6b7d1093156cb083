"""Shared by the package's modules: JSON text of payloads, running a native call off the event loop (the
thread pool ``_Hops``) or on it without blocking it (``_inline``, for PostgreSQL; ``_hot`` picks), and the
base class of the objects around native handles.

Import time: ``import pgqrs`` must stay cheap (target 100 ms, whole package), so nothing here imports a
module at import time that the package does not need to define its names. asyncio alone costs more than the
extension (it pulls in ssl, socket, concurrent.futures, inspect, logging): it is imported when the first
call runs, by which time the caller's event loop has imported it anyway. The same goes for json, socket and
uuid. Modules of the package should do likewise (import inside the function, or call ``_call``), and keep
typing-only imports under ``if TYPE_CHECKING:``.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing; type checkers take it as True
if TYPE_CHECKING:
    from typing import Any, Awaitable, Callable

_encode: Callable[[Any], str] | None = None


class _LazyModule:
    """A module imported at its first attribute use (``asyncio = _lazy("asyncio")``): what the package's
    modules use of asyncio, inspect and json, so that importing the package does not import them."""

    __slots__ = ("_name", "_module")

    def __init__(self, name: str) -> None:
        self._name = name
        self._module = None

    def __getattr__(self, attr: str) -> Any:
        module = self._module
        if module is None:
            module = self._module = __import__(self._name)
        return getattr(module, attr)


def _lazy(name: str) -> Any:
    return _LazyModule(name)


def _dumps(payload: Any) -> str:
    """Compact JSON text of a payload, as ``json.dumps`` makes it (TypeError for what is not serialisable,
    ValueError for NaN and infinities). One encoder, made at the first call."""
    global _encode
    if _encode is None:
        import json

        _encode = json.JSONEncoder(allow_nan=False, separators=(",", ":")).encode
    return _encode(payload)


class _Hops:
    """The threads that run blocking native calls for the event loops (see the package docstring).

    What ``loop.run_in_executor(None, ...)`` does, for about half its cost per call (45 against 95 us on a
    2-core VM, a quarter of a step's time): the loop thread puts (loop, future, call) on one queue; a worker
    runs the call (the native module releases the GIL meanwhile) and hands the outcome to the loop with
    ``call_soon_threadsafe``. No concurrent.futures.Future in between, no callbacks chained across threads.
    The pool grows as ThreadPoolExecutor's does (a thread is added while none is idle, up to
    min(32, cores + 4)); its threads are not daemons and stop at interpreter exit, as the executor's, so no
    native call is cut short by finalisation."""

    def __init__(self) -> None:
        import os
        import queue
        import threading

        self._queue = queue.SimpleQueue()
        self._idle = threading.Semaphore(0)
        self._threads: list = []
        self._limit = min(32, (os.cpu_count() or 1) + 4)
        self._closed = False
        self._thread_class = threading.Thread

    def submit(self, loop: Any, fn: Callable[..., Any], args: tuple) -> Any:
        if self._closed:
            raise RuntimeError("cannot schedule new calls after interpreter shutdown")
        fut = loop.create_future()
        if not self._idle.acquire(blocking=False) and len(self._threads) < self._limit:
            thread = self._thread_class(target=self._work, name=f"pgqrs-call-{len(self._threads)}")
            thread.start()
            self._threads.append(thread)
        self._queue.put((loop, fut, fn, args))
        return fut

    def _work(self) -> None:
        get = self._queue.get
        while True:
            item = get()
            if item is None:
                return
            loop, fut, fn, args = item
            del item
            try:
                outcome, deliver = fn(*args), _set_result
            except BaseException as e:  # noqa: B036 - handed to the awaiting coroutine, as the executor does
                outcome, deliver = e, _set_exception
            try:
                loop.call_soon_threadsafe(deliver, fut, outcome)
            except RuntimeError:  # the loop was closed meanwhile: nobody awaits the outcome
                pass
            del loop, fut, fn, args, outcome, deliver
            self._idle.release()

    def close(self) -> None:
        self._closed = True
        for _ in self._threads:
            self._queue.put(None)


def _set_result(fut: Any, result: Any) -> None:
    if not fut.cancelled():
        fut.set_result(result)


def _set_exception(fut: Any, error: BaseException) -> None:
    if not fut.cancelled():
        fut.set_exception(error)


_hops: _Hops | None = None
_fork_hook_registered = False


def _forget_hops_after_fork() -> None:
    global _hops
    _hops = None  # the parent's threads do not exist in the child


def _hop_pool() -> _Hops:
    global _hops, _fork_hook_registered
    if _hops is None:
        import os
        import threading

        _hops = _Hops()
        threading._register_atexit(_hops.close)  # as concurrent.futures: before non-daemon threads are joined
        if not _fork_hook_registered:
            os.register_at_fork(after_in_child=_forget_hops_after_fork)
            _fork_hook_registered = True
    return _hops


def _submit(fn: Callable[..., Any], *args: Any) -> Any:
    """Starts one blocking native call off the event loop; returns the asyncio future of its outcome."""
    import asyncio

    return _hop_pool().submit(asyncio.get_running_loop(), fn, args)


async def _call(fn, *args):
    """Runs one blocking native call off the event loop (see the package docstring)."""
    return await _submit(fn, *args)


async def _call_to_completion(undo: Callable[[Any], Awaitable[None]], fn, *args) -> Any:
    """Runs a native call that cancellation must not cut short: if the awaiting task is cancelled while the call
    runs, the call still completes (it cannot be stopped), ``await undo(result)`` reverses what it did, then
    the cancellation goes on."""
    import asyncio

    fut = _submit(fn, *args)
    try:
        return await asyncio.shield(fut)
    except asyncio.CancelledError:
        try:
            result = await fut
        except Exception:  # the call failed: nothing to reverse
            raise asyncio.CancelledError from None
        await undo(result)
        raise


def _hot(inline: bool, fn: Callable[..., Any], start: Callable[..., Any], *args: Any,
         undo: Callable[[Any], Awaitable[None]] | None = None) -> Awaitable[Any]:
    """One call of the hot path, awaitable: ``start(*args)``, an InlineCall run on the event loop's thread
    (``_inline``) where the backend allows it (``inline``: the native handle's ``inline_calls``), else
    ``fn(*args)`` on a hop thread. ``undo(result)`` reverses it if the caller is cancelled meanwhile."""
    if inline:
        return _inline(start(*args), undo)
    if undo is not None:
        return _call_to_completion(undo, fn, *args)
    return _call(fn, *args)


async def _inline(call: Any, undo: Callable[[Any], Awaitable[None]] | None = None) -> Any:
    """Drives a native InlineCall (the ``start_*`` variants of the hot calls, on PostgreSQL) to its end on the
    event loop's thread: while it waits for its connection's socket the loop waits for it too
    (``add_reader``), and what cannot wait on a socket (connecting, a busy pool) runs on a hop thread. Same
    outcome as the blocking call run with ``_call``, without the two thread switches per call (about 200 us
    of CPU on a 2-core VM). Cancelled meanwhile, it does what ``_call_to_completion`` does: the call runs to
    its end first (it cannot be stopped half-way on its connection), ``await undo(result)`` reverses what it
    did (a claim), then the cancellation goes on; cancelled again, it finishes the call blocking."""
    import asyncio

    try:
        return await _drive(call)
    except asyncio.CancelledError:
        try:
            result = await _drive(call)
        except asyncio.CancelledError:
            call.finish()
            raise
        except Exception:  # the call failed: nothing to reverse
            raise asyncio.CancelledError from None
        if undo is not None:
            await undo(result)
        raise


async def _drive(call: Any) -> Any:
    import asyncio

    loop = asyncio.get_running_loop()
    while True:
        fd = call.fd
        if fd == -1:
            return call.result()
        if fd == -2:
            await _submit(call.run_offloaded)  # run again after a cancellation, it waits for the first run
        else:
            ready = loop.create_future()
            loop.add_reader(fd, _set_result, ready, None)
            try:
                await ready
            finally:
                loop.remove_reader(fd)
        call.resume()


def _worker_name() -> str:
    # The original names the workers that store.producer()/store.consumer() register "<hostname>-<uuid4>".
    import socket
    import uuid

    return f"{socket.gethostname()}-{uuid.uuid4()}"


class _NativeHandle:
    """A Python object around one native handle (``_h``). Only the library creates them (``_wrap``); calling
    the class raises the original's RuntimeError, whose text names the way to get one (``_how``)."""

    __slots__ = ("_h",)
    _how = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError(f"Direct {type(self).__name__} creation is disabled. Use {self._how}.")

    @classmethod
    def _wrap(cls, handle: Any):
        self = object.__new__(cls)
        self._h = handle
        return self


class _WorkerHandle(_NativeHandle):
    __slots__ = ()

    @property
    def worker_id(self) -> int:
        return self._h.worker_id
