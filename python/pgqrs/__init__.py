"""pgqrs: a job queue in PostgreSQL or SQLite, on the pgqrs-cpp core.

A drop-in replacement for the original ``pgqrs`` Python package: the same names, signatures and
asynchronous calls (awaitables), the same exception classes.

How the calls are asynchronous: every awaitable runs one call of the synchronous native module
(``pgqrs._pgqrs``) in the event loop's default executor (``loop.run_in_executor(None, ...)``), and the native
module releases the GIL for the whole database call. So the event loop never blocks on the database, other
coroutines and threads run Python meanwhile, and calls from several coroutines proceed in parallel, up to the
executor's thread count. This is the simplest choice that is correct for short calls (enqueue, dequeue,
archive: one round trip each); it needs no callbacks from C++ threads into Python, so nothing can run Python
code during interpreter shutdown. Cancelling an awaiting coroutine does not stop the database call that is
already running: it completes and its result is dropped (a dequeued message then stays leased until its
lease expires). Long waits (poll loops) will need a C++-side wait instead, so that many waiting coroutines do
not each occupy an executor thread.

Payloads are converted with ``json.dumps``, as the original does: an object that is not JSON-serialisable
raises ``TypeError``, NaN or infinity ``ValueError``.
"""

from __future__ import annotations

import asyncio
import json
import socket
import uuid
from typing import Any, List, Optional

from . import _pgqrs
from ._pgqrs import (
    Config,
    ConfigError,
    InternalError,
    MessageNotFoundError,
    PausedError,
    PgqrsConnectionError,
    PgqrsError,
    QueueAlreadyExistsError,
    QueueInfo,
    QueueMessage,
    QueueNotFoundError,
    RateLimitedError,
    RetriesExhaustedError,
    SerializationError,
    StateTransitionError,
    StepNotReadyError,
    TimeoutError,
    TransientStepError,
    ValidationError,
    WorkerNotFoundError,
)

__all__ = [
    "Admin",
    "Config",
    "ConfigError",
    "Consumer",
    "InternalError",
    "MessageNotFoundError",
    "PausedError",
    "PgqrsConnectionError",
    "PgqrsError",
    "Producer",
    "QueueAlreadyExistsError",
    "QueueInfo",
    "QueueMessage",
    "QueueNotFoundError",
    "RateLimitedError",
    "RetriesExhaustedError",
    "SerializationError",
    "StateTransitionError",
    "StepNotReadyError",
    "Store",
    "TimeoutError",
    "TransientStepError",
    "ValidationError",
    "WorkerNotFoundError",
    "admin",
    "archive",
    "archive_batch",
    "connect",
    "connect_with",
    "delete",
    "dequeue",
    "enqueue",
    "enqueue_batch",
    "enqueue_delayed",
    "extend_vt",
    "produce",
    "produce_batch",
]


def _dumps(payload: Any) -> str:
    return json.dumps(payload, allow_nan=False, separators=(",", ":"))


async def _call(fn, *args):
    """Runs one blocking native call off the event loop (see the module docstring)."""
    return await asyncio.get_running_loop().run_in_executor(None, fn, *args)


def _worker_name() -> str:
    # The original names the workers that store.producer()/store.consumer() register "<hostname>-<uuid4>".
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
