"""``store.consume_iter()``, ``consume()`` and ``consume_batch()`` (spec §3.9, §10.7): consumption through an
ephemeral consumer (``__ephemeral__<uuid>``) of the call's own, cleaned up when the call ends."""

from __future__ import annotations

from . import _pgqrs
from ._pgqrs import PgqrsError, QueueMessage
from ._dequeue import _call_releasing, _dispose, _ephemeral_consumer, _release_quietly, _run_handler
from ._util import _call, _lazy

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from typing import Any, Callable, List, Optional
asyncio = _lazy("asyncio")

_DEFAULT_POLL_INTERVAL_MS = 50


class _NotInitialized(PgqrsError, RuntimeError):
    """ConsumerIterator.archive()/delete() before the first message: a PgqrsError and a RuntimeError."""


class ConsumerIterator:
    """``async for msg in store.consume_iter(queue)``: leases one message at a time (30 s) through an
    ephemeral consumer created on the first ``__anext__``, sleeping ``poll_interval_ms`` (default 50) between
    empty polls; never ends by itself. As an async context manager, leaving it closes the consumer."""

    __slots__ = ("_store", "_queue", "_interval_s", "_h", "_closed")

    def __init__(self, store, queue: str, poll_interval_ms: Optional[int] = None) -> None:
        from ._queue import Store

        if not isinstance(store, Store):
            raise TypeError(f"consume_iter() needs a pgqrs.Store, got {type(store).__name__}")
        if not isinstance(queue, str):
            raise TypeError(f"queue must be a str, got {type(queue).__name__}")
        if poll_interval_ms is None:
            poll_interval_ms = _DEFAULT_POLL_INTERVAL_MS
        if isinstance(poll_interval_ms, bool) or not isinstance(poll_interval_ms, int) or poll_interval_ms < 0:
            raise TypeError(f"poll_interval_ms must be a non-negative int, got {poll_interval_ms!r}")
        self._store = store
        self._queue = queue
        self._interval_s = poll_interval_ms / 1000.0
        self._h = None
        self._closed = False

    def __aiter__(self) -> "ConsumerIterator":
        return self

    async def __anext__(self) -> QueueMessage:
        if self._closed:
            raise StopAsyncIteration
        if self._h is None:
            self._h = await _ephemeral_consumer(self._store, self._queue)
        while True:
            msgs = await _call_releasing(self._h, self._h.dequeue, self._h.start_dequeue, 1)
            if msgs:
                return msgs[0]
            await asyncio.sleep(self._interval_s)

    def _consumer(self):
        if self._h is None:
            raise _NotInitialized("Consumer not initialized")
        return self._h

    @property
    def worker_id(self) -> Optional[int]:
        """The ephemeral consumer's worker id (None before the first message); beyond the original."""
        return None if self._h is None else self._h.worker_id

    async def archive(self, message_id: int) -> bool:
        """Archives a delivered message; returns True (as the original)."""
        await _call(self._consumer().archive, message_id)
        return True

    async def delete(self, message_id: int) -> bool:
        return await _call(self._consumer().delete, message_id)

    async def close(self) -> None:
        """Stops the ephemeral consumer. Messages it delivered and that were not archived or deleted are
        released first, so closing never fails over them (the original's shutdown refuses then)."""
        self._closed = True
        h, self._h = self._h, None
        if h is None:
            return
        try:
            await _call(h.suspend)
            await _call(_pgqrs.AdminHandle(self._store._h).release_worker_messages, h.worker_id)
            await _call(h.shutdown)
        finally:
            await _dispose(h)

    async def __aenter__(self) -> "ConsumerIterator":
        return self

    async def __aexit__(self, exc_type, exc_value, traceback) -> None:
        await self.close()


async def _consume(store, queue: str, batch_size: int, handler: Callable[[Any], Any], single: bool) -> None:
    from ._queue import Store

    if not isinstance(store, Store):
        raise TypeError(f"consume() needs a pgqrs.Store, got {type(store).__name__}")
    if not callable(handler):
        raise TypeError(f"handler must be callable, got {type(handler).__name__}")
    h = await _ephemeral_consumer(store, queue)
    try:
        msgs = await _call_releasing(h, h.dequeue, h.start_dequeue, batch_size)
        if not msgs:
            return None
        ids = [m.id for m in msgs]
        try:
            await _run_handler(handler, msgs[0] if single else msgs)
        except BaseException:
            # The original leaves the messages leased to an orphan ephemeral worker until someone reclaims
            # them; here they are ready again at once.
            await _release_quietly(h, ids)
            raise
        await _call(h.archive_many, ids)
        return None
    finally:
        await _dispose(h)


async def consume(store, queue: str, handler: Callable[[QueueMessage], Any]) -> None:
    """Leases one message (30 s), awaits ``handler(msg)``, archives it; on an exception releases it and
    re-raises. Returns at once when nothing is ready."""
    return await _consume(store, queue, 1, handler, True)


async def consume_batch(store, queue: str, batch_size: int, handler: Callable[[List[QueueMessage]], Any]) -> None:
    """As consume(), with up to ``batch_size`` messages passed as a list and archived together."""
    return await _consume(store, queue, batch_size, handler, False)
