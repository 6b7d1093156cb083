"""Store, Producer, Consumer, Admin, connect() and the module-level queue functions."""

from __future__ import annotations

from typing import Any, List, Optional

from . import _pgqrs
from ._pgqrs import Config, QueueInfo, QueueMessage
from ._util import _NativeHandle, _WorkerHandle, _call, _dumps, _worker_name


class Store(_NativeHandle):
    """A connected store (``await pgqrs.connect(dsn)``): a thread-safe handle over a connection pool."""

    __slots__ = ()
    _how = "pgqrs.connect(dsn)"

    async def queue(self, name: str) -> QueueInfo:
        """Creates a queue. Raises QueueAlreadyExistsError if it exists."""
        return await _call(self._h.queue, name)

    async def producer(self, queue: str) -> "Producer":
        """Registers a producer named ``<hostname>-<uuid4>`` on the queue. Raises QueueNotFoundError."""
        return Producer._wrap(await _call(self._h.producer, queue, _worker_name()))

    async def consumer(self, queue: str) -> "Consumer":
        """Registers a consumer named ``<hostname>-<uuid4>`` on the queue. Raises QueueNotFoundError."""
        return Consumer._wrap(await _call(self._h.consumer, queue, _worker_name()))

    async def get_workflows(self):
        from ._workflow import Workflows
        return Workflows(self)

    async def get_workflow_runs(self):
        from ._workflow import WorkflowRuns
        return WorkflowRuns(self)

    async def get_workflow_steps(self):
        from ._workflow import WorkflowSteps
        return WorkflowSteps(self)

    async def bootstrap(self) -> None:
        """Installs the schema (same as ``admin(store).install()``)."""
        await _call(self._h.install)

    def __repr__(self) -> str:
        return f"Store(backend={self._h.backend_name!r})"


class Producer(_WorkerHandle):
    """Enqueues into one queue; obtained with ``await store.producer(queue)``."""

    __slots__ = ()
    _how = "store.producer(queue)"

    async def enqueue(self, payload: Any) -> int:
        """Enqueues one JSON-serialisable payload; returns the message id."""
        return await _call(self._h.enqueue, _dumps(payload))

    async def enqueue_delayed(self, payload: Any, delay_seconds: int) -> int:
        """Enqueues a payload that becomes ready ``delay_seconds`` from now; returns the message id."""
        return await _call(self._h.enqueue_delayed, _dumps(payload), delay_seconds)


class Consumer(_WorkerHandle):
    """Leases and acknowledges messages of one queue; obtained with ``await store.consumer(queue)``."""

    __slots__ = ()
    _how = "store.consumer(queue)"

    async def dequeue(self, batch_size: Optional[int] = None) -> List[QueueMessage]:
        """Leases up to ``batch_size`` (default 1) ready messages for 30 seconds."""
        return await _call(self._h.dequeue, 1 if batch_size is None else batch_size)

    async def dequeue_many_with_delay(self, limit: int, vt: int) -> List[QueueMessage]:
        """Leases up to ``limit`` messages for ``vt`` seconds."""
        return await _call(self._h.dequeue_many_with_delay, limit, vt)

    async def archive(self, message_id: int) -> bool:
        """Archives a message this consumer holds; False if it does not hold it (any more)."""
        return await _call(self._h.archive, message_id)

    async def archive_many(self, message_ids: List[int]) -> List[bool]:
        return await _call(self._h.archive_many, list(message_ids))

    async def delete(self, message_id: int) -> bool:
        """Deletes a message this consumer holds; False if it does not hold it."""
        return await _call(self._h.delete, message_id)

    async def delete_many(self, message_ids: List[int]) -> List[bool]:
        return await _call(self._h.delete_many, list(message_ids))

    async def extend_vt(self, message_id: int, seconds: int) -> bool:
        """Extends the lease of a held message by ``seconds``; False if not held."""
        return await _call(self._h.extend_vt, message_id, seconds)

    async def release_messages(self, message_ids: List[int]) -> int:
        """Makes held messages ready again now; returns how many were released."""
        return await _call(self._h.release_messages, list(message_ids))


class Admin:
    """Schema and queue administration: ``pgqrs.admin(store)`` or ``Admin(store)``."""

    __slots__ = ("_store",)

    def __init__(self, store: Store) -> None:
        if not isinstance(store, Store):
            raise TypeError(f"Admin() needs a pgqrs.Store, got {type(store).__name__}")
        self._store = store

    async def install(self) -> None:
        """Creates the schema and applies pending migrations (idempotent)."""
        await _call(self._store._h.install)

    async def verify(self) -> None:
        """Checks the installed schema. Raises ValidationError if it is missing or inconsistent."""
        await _call(self._store._h.verify)

    async def create_workflow(self, name: str, arg: Any = None):
        """Creates the definition (an existing one raises PgqrsError), triggers it with ``arg`` and returns
        the run (the original's shortcut)."""
        from ._workflow import _admin_create_workflow
        return await _admin_create_workflow(self._store, name, arg)

    async def delete_queue(self, name: str) -> bool:
        """Deletes an unused queue. Raises QueueNotFoundError, or ValidationError while it is referenced."""
        await _call(self._store._h.delete_queue, name)
        return True


async def connect(dsn: str) -> Store:
    """Opens a store from a DSN (``postgresql://…``, ``sqlite:///abs/path.db``, ``sqlite::memory:``)."""
    return Store._wrap(await _call(_pgqrs.connect, dsn))


async def connect_with(config: Config) -> Store:
    """Opens a store with explicit settings."""
    if not isinstance(config, Config):
        raise TypeError(f"connect_with() needs a pgqrs.Config, got {type(config).__name__}")
    return Store._wrap(await _call(_pgqrs.connect_with, config))


def admin(store: Store) -> Admin:
    return Admin(store)


async def produce(store: Store, queue: str, payload: Any) -> int:
    """Enqueues one payload without a registered producer; returns the message id."""
    return await _call(store._h.produce, queue, _dumps(payload))


async def produce_batch(store: Store, queue: str, payloads: List[Any]) -> List[int]:
    """Enqueues payloads (all or nothing) without a registered producer; returns their ids."""
    return await _call(store._h.produce_batch, queue, [_dumps(p) for p in payloads])


async def enqueue(producer: Producer, payload: Any) -> int:
    return await producer.enqueue(payload)


async def enqueue_batch(producer: Producer, payloads: List[Any]) -> List[int]:
    """Enqueues payloads through the producer, all or nothing; returns their ids."""
    return await _call(producer._h.enqueue_batch, [_dumps(p) for p in payloads])


async def enqueue_delayed(producer: Producer, payload: Any, delay_seconds: int) -> int:
    return await producer.enqueue_delayed(payload, delay_seconds)


async def dequeue(consumer: Consumer, batch_size: int) -> List[QueueMessage]:
    return await consumer.dequeue(batch_size)


async def archive(consumer: Consumer, message: QueueMessage) -> bool:
    """Archives the message; returns True whether or not the consumer still held it (as the original)."""
    await consumer.archive(message.id)
    return True


async def archive_batch(consumer: Consumer, messages: List[QueueMessage]) -> bool:
    """Archives the messages; returns True (as the original)."""
    await consumer.archive_many([m.id for m in messages])
    return True


async def delete(consumer: Consumer, message: QueueMessage) -> bool:
    return await consumer.delete(message.id)


async def extend_vt(consumer: Consumer, message: QueueMessage, seconds: int) -> bool:
    return await consumer.extend_vt(message.id, seconds)
