"""Table handles (spec §3.7, §10.9): ``await store.get_workers()``, ``get_queues()``, ``get_messages()``, and
the WorkerInfo record. Besides what the original implements, the calls its stubs only declared are here:
``Workers.health_stats()``/``purge_stale()``, ``Queues.list()``/``purge()``/``metrics()``/``list_metrics()``."""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from typing import List, Optional

from . import _pgqrs
from ._enums import WorkerStatus
from ._pgqrs import QueueInfo, QueueMessage, QueueMetrics, WorkerHealthStats, WorkerNotFoundError
from ._util import _NativeHandle, _call


class WorkerInfo:
    """A worker row (read-only). ``status`` is a WorkerStatus; times are RFC 3339 strings."""

    __slots__ = ("_r",)

    def __init__(self, *args, **kwargs) -> None:
        raise RuntimeError("WorkerInfo objects are returned by the library (store.get_workers()).")

    @classmethod
    def _wrap(cls, record) -> "WorkerInfo":
        self = object.__new__(cls)
        self._r = record
        return self

    id = property(lambda self: self._r.id)
    name = property(lambda self: self._r.name)
    status = property(lambda self: WorkerStatus._from_native(self._r.status))
    queue_id = property(lambda self: self._r.queue_id, doc="None for admin workers")
    heartbeat_at = property(lambda self: self._r.heartbeat_at)
    started_at = property(lambda self: self._r.started_at)
    shutdown_at = property(lambda self: self._r.shutdown_at)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, WorkerInfo) and (self.id, self.status, self.heartbeat_at) == (
            other.id, other.status, other.heartbeat_at)

    __hash__ = None  # a snapshot of a mutable row

    def __repr__(self) -> str:
        return (f"WorkerInfo(id={self.id}, name={self.name!r}, status={self.status!r}, "
                f"queue_id={self.queue_id!r})")


def _workers(records) -> List[WorkerInfo]:
    return [WorkerInfo._wrap(r) for r in records]


class _Table(_NativeHandle):
    """A table handle: ``_h`` is the native table, ``_s`` the store's native handle (for admin calls)."""

    __slots__ = ("_s",)

    @classmethod
    def _of(cls, store, table) -> "_Table":
        self = cls._wrap(table)
        self._s = store._h
        return self

    def _admin(self):
        return _pgqrs.AdminHandle(self._s)

    async def count(self) -> int:
        return await _call(self._h.count)


class Workers(_Table):
    __slots__ = ()
    _how = "store.get_workers()"

    async def list(self) -> List[WorkerInfo]:
        """Every worker row, newest first (producers, consumers, ephemeral ones)."""
        return _workers(await _call(self._h.list))

    async def get(self, worker_id: int) -> WorkerInfo:
        """Raises WorkerNotFoundError for a missing id (the original raises a database error)."""
        record = await _call(self._h.get, worker_id)
        if record is None:
            raise WorkerNotFoundError(f"Worker with id '{worker_id}' not found")
        return WorkerInfo._wrap(record)

    async def health_stats(self, heartbeat_timeout_seconds: Optional[int] = None,
                           group_by_queue: bool = False) -> List[WorkerHealthStats]:
        """Status counts and stale workers (ready/polling without a heartbeat for the timeout; default three
        heartbeat intervals): one "Global" row, or one per queue name ("Admin" for workers without a queue)."""
        return await _call(self._admin().worker_health_stats, heartbeat_timeout_seconds, group_by_queue)

    async def purge_stale(self, timeout_seconds: int) -> int:
        """Deletes stopped workers idle for longer than ``timeout_seconds`` that no message refers to."""
        return await _call(self._admin().purge_old_workers, timeout_seconds)


class Queues(_Table):
    __slots__ = ()
    _how = "store.get_queues()"

    async def list(self) -> List[QueueInfo]:
        """Every queue, newest first."""
        return await _call(self._h.list)

    async def purge(self, queue_name: str) -> int:
        """Deletes every message (live and archived) and every worker of the queue; returns messages removed.
        Raises QueueNotFoundError."""
        return await _call(self._admin().purge_queue, queue_name)

    async def metrics(self, queue_name: str) -> QueueMetrics:
        """Message counts of the queue. Raises QueueNotFoundError."""
        return await _call(self._admin().queue_metrics, queue_name)

    async def list_metrics(self) -> List[QueueMetrics]:
        """Message counts of every queue (empty ones too), by name."""
        return await _call(self._admin().all_queues_metrics)


class Messages(_Table):
    """``count()`` counts live (un-archived) messages, as the original."""

    __slots__ = ()
    _how = "store.get_messages()"

    async def list_archived_by_queue(self, queue_id: int) -> List[QueueMessage]:
        """Archived messages of the queue, most recently archived first."""
        return await _call(self._h.list_archived_by_queue, queue_id)

    async def list(self) -> List[QueueMessage]:
        """Live messages, newest first (beyond the original)."""
        return await _call(self._h.list)

    async def get(self, message_id: int) -> Optional[QueueMessage]:
        """A live or archived message, or None (beyond the original)."""
        return await _call(self._h.get, message_id)
