"""Store, Producer, Consumer, Admin, connect() and the module-level queue functions."""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional

from . import _pgqrs
from ._enums import WorkerStatus, WorkflowStatus
from ._pgqrs import Config, QueueInfo, QueueMessage
from ._dequeue import _call_releasing
from ._util import _NativeHandle, _WorkerHandle, _call, _dumps, _hot, _worker_name


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

    def consume_iter(self, queue: str, poll_interval_ms: Optional[int] = None) -> "ConsumerIterator":
        """An async iterator (and async context manager) over the queue's messages; see ConsumerIterator."""
        from ._consume import ConsumerIterator

        return ConsumerIterator(self, queue, poll_interval_ms)

    async def get_workers(self) -> "Workers":
        from ._tables import Workers

        return Workers._of(self, _pgqrs.worker_table(self._h))

    async def get_queues(self) -> "Queues":
        from ._tables import Queues

        return Queues._of(self, _pgqrs.queue_table(self._h))

    async def get_messages(self) -> "Messages":
        from ._tables import Messages

        return Messages._of(self, _pgqrs.message_table(self._h))

    def __repr__(self) -> str:
        return f"Store(backend={self._h.backend_name!r})"


class _Worker(_WorkerHandle):
    """The worker lifecycle of producers and consumers (spec §4.2). The original's Python package has only
    ``Consumer.status()`` and ``interrupt()``; suspend/resume/shutdown/heartbeat are additions."""

    __slots__ = ()

    @classmethod
    def _register(cls, admin: "Admin", queue: str, name: str, how: str):
        # new_producer/new_consumer: sync, as the original (which blocks on its runtime); the GIL is released.
        if not isinstance(admin, Admin):
            raise TypeError(f"{how}() needs a pgqrs.Admin, got {type(admin).__name__}")
        register = admin._store._h.producer if cls is Producer else admin._store._h.consumer
        return cls._wrap(register(queue, name))

    async def status(self) -> WorkerStatus:
        return WorkerStatus._from_native(await _call(self._h.status))

    async def suspend(self) -> None:
        """ready|polling|interrupted → suspended. Raises StateTransitionError."""
        await _call(self._h.suspend)

    async def resume(self) -> None:
        """suspended → ready. Raises StateTransitionError."""
        await _call(self._h.resume)

    async def shutdown(self) -> None:
        """suspended → stopped (the name can then be registered again). Raises StateTransitionError, for a
        consumer also while it holds unexpired leases."""
        await _call(self._h.shutdown)

    async def heartbeat(self) -> None:
        """Records liveness. Raises WorkerNotFoundError if the worker row was deleted."""
        await _call(self._h.heartbeat)


class Producer(_Worker):
    """Enqueues into one queue; obtained with ``await store.producer(queue)``."""

    __slots__ = ()
    _how = "store.producer(queue)"

    @staticmethod
    def new_producer(admin: "Admin", queue: str, name: str) -> "Producer":
        """Registers (or re-activates a stopped) producer called ``name``. Raises QueueNotFoundError, or
        ValidationError while that name is active or suspended."""
        return Producer._register(admin, queue, name, "new_producer")

    async def replay_dlq(self, message_id: int) -> Optional[QueueMessage]:
        """Puts an archived (or dead-lettered) message back in its queue, ready now with its read count reset;
        None if it is not archived. Beyond the original's Python package."""
        return await _call(self._h.replay_dlq, message_id)

    async def enqueue(self, payload: Any) -> int:
        """Enqueues one JSON-serialisable payload; returns the message id."""
        h = self._h
        return await _hot(h.inline_calls, h.enqueue, h.start_enqueue, _dumps(payload))

    async def enqueue_delayed(self, payload: Any, delay_seconds: int) -> int:
        """Enqueues a payload that becomes ready ``delay_seconds`` from now; returns the message id."""
        return await _call(self._h.enqueue_delayed, _dumps(payload), delay_seconds)


class Consumer(_Worker):
    """Leases and acknowledges messages of one queue; obtained with ``await store.consumer(queue)``."""

    __slots__ = ()
    _how = "store.consumer(queue)"

    @staticmethod
    def new_consumer(admin: "Admin", queue: str, name: str) -> "Consumer":
        """Registers (or re-activates a stopped) consumer called ``name``. Raises as Producer.new_producer."""
        return Consumer._register(admin, queue, name, "new_consumer")

    async def dequeue_at(self, limit: int, vt: int, current_time: str) -> List[QueueMessage]:
        """Leases as if the time were ``current_time`` (RFC 3339; ValueError otherwise): messages whose vt is
        at or before it, for ``vt`` seconds from it."""
        return await _call(self._h.dequeue_at, limit, vt, current_time)

    async def release_with_visibility(self, message_id: int, visible_at: str) -> bool:
        """Gives a held message back, ready at ``visible_at`` (RFC 3339); False if not held."""
        return await _call(self._h.release_with_visibility, message_id, visible_at)

    async def interrupt(self) -> None:
        """polling → interrupted: a poll loop on this worker (in any process) ends at its next check.
        Raises StateTransitionError unless the worker is polling."""
        await _call(self._h.interrupt)

    async def dequeue(self, batch_size: Optional[int] = None) -> List[QueueMessage]:
        """Leases up to ``batch_size`` (default 1) ready messages for 30 seconds."""
        h = self._h
        return await _call_releasing(h, h.dequeue, h.start_dequeue, 1 if batch_size is None else batch_size)

    async def dequeue_many_with_delay(self, limit: int, vt: int) -> List[QueueMessage]:
        """Leases up to ``limit`` messages for ``vt`` seconds."""
        return await _call(self._h.dequeue_many_with_delay, limit, vt)

    async def archive(self, message_id: int) -> bool:
        """Archives a message this consumer holds; False if it does not hold it (any more)."""
        h = self._h
        return await _hot(h.inline_calls, h.archive, h.start_archive, message_id)

    async def archive_many(self, message_ids: List[int]) -> List[bool]:
        h = self._h
        return await _hot(h.inline_calls, h.archive_many, h.start_archive_many, list(message_ids))

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
    """Schema and queue administration: ``pgqrs.admin(store)`` or ``Admin(store)``. Beyond the original's
    install/verify/delete_queue/release_worker_messages, the C++ admin's operations under their C++ names."""

    __slots__ = ("_store", "_a")

    def __init__(self, store: Store) -> None:
        if not isinstance(store, Store):
            raise TypeError(f"Admin() needs a pgqrs.Store, got {type(store).__name__}")
        self._store = store
        self._a = _pgqrs.AdminHandle(store._h)

    async def release_worker_messages(self, worker_id: int) -> int:
        """Releases every message the worker holds, whatever its health; returns how many."""
        return await _call(self._a.release_worker_messages, worker_id)

    async def reclaim_messages(self, queue_id: int, older_than_seconds: Optional[int] = None) -> int:
        """Releases the messages of the queue's workers silent for ``older_than_seconds`` (default three
        heartbeat intervals) and marks them stopped; returns messages released."""
        return await _call(self._a.reclaim_messages, queue_id, older_than_seconds)

    async def create_queue(self, name: str) -> QueueInfo:
        return await _call(self._a.create_queue, name)

    async def get_queue(self, name: str) -> QueueInfo:
        """Raises QueueNotFoundError."""
        return await _call(self._a.get_queue, name)

    async def purge_queue(self, name: str) -> int:
        """Deletes every message (live and archived) and worker of the queue; returns messages removed."""
        return await _call(self._a.purge_queue, name)

    async def dlq(self) -> List[int]:
        """Archives every poison message (read_ct >= max_read_ct) of every queue; returns their ids."""
        return await _call(self._a.dlq)

    async def list_dlq_messages(self, queue_name: str) -> List[QueueMessage]:
        """The queue's dead-lettered messages: archived with read_ct >= max_read_ct, newest first."""
        info = await self.get_queue(queue_name)
        limit = self._store._h.config.max_read_ct
        archived = await _call(_pgqrs.message_table(self._store._h).list_archived_by_queue, info.id)
        return [m for m in archived if m.read_ct >= limit]

    async def replay_dlq(self, message_id: int) -> Optional[QueueMessage]:
        """Puts an archived message back in its queue (see Producer.replay_dlq), through an ephemeral
        producer of that queue; None if the message is not archived."""
        found = await _call(_pgqrs.message_table(self._store._h).get, message_id)
        if found is None or found.archived_at is None:
            return None
        queue = await _call(_pgqrs.queue_table(self._store._h).get, found.queue_id)
        return await _call(_pgqrs.replay_archived, self._store._h, queue.queue_name, message_id)

    async def list_workers(self) -> List["WorkerInfo"]:
        from ._tables import _workers

        return _workers(await _call(self._a.list_workers))

    async def delete_worker(self, worker_id: int) -> int:
        """Raises ValidationError while messages refer to the worker, WorkerNotFoundError."""
        return await _call(self._a.delete_worker, worker_id)

    async def purge_old_workers(self, older_than_seconds: int) -> int:
        return await _call(self._a.purge_old_workers, older_than_seconds)

    async def get_worker_messages(self, worker_id: int) -> List[QueueMessage]:
        return await _call(self._a.get_worker_messages, worker_id)

    async def worker_stats(self, queue_name: str):
        """WorkerStats of the queue's workers. Raises QueueNotFoundError."""
        return await _call(self._a.worker_stats, queue_name)

    async def worker_health_stats(self, heartbeat_timeout_seconds: Optional[int] = None,
                                  group_by_queue: bool = False):
        return await _call(self._a.worker_health_stats, heartbeat_timeout_seconds, group_by_queue)

    async def queue_metrics(self, queue_name: str):
        return await _call(self._a.queue_metrics, queue_name)

    async def all_queues_metrics(self):
        return await _call(self._a.all_queues_metrics)

    async def system_stats(self):
        return await _call(self._a.system_stats)

    async def apply_retention(self, archived_older_than_seconds: Optional[int] = None,
                              finished_runs_older_than_seconds: Optional[int] = None,
                              stopped_workers_older_than_seconds: Optional[int] = None,
                              batch_size: int = 1000):
        """Deletes archived messages, finished workflow runs (with their steps) and stopped unreferenced workers
        older than the given ages (None: keep that kind), in batches of ``batch_size`` rows; returns a
        RetentionReport with the counts. Raises ValidationError for a batch size of 0 or a negative age."""
        return await _call(_pgqrs.apply_retention, self._store._h, archived_older_than_seconds,
                           finished_runs_older_than_seconds, stopped_workers_older_than_seconds, batch_size)

    async def run_counts_by_status(self) -> Dict[WorkflowStatus, int]:
        """Workflow runs per status, every WorkflowStatus present (0 when none)."""
        counts = await _call(_pgqrs.run_counts_by_status, self._store._h)
        return {WorkflowStatus._from_native(status): n for status, n in counts}

    async def metrics_exposition(self) -> str:
        """The database's metrics in the Prometheus text format (see pgqrs.metrics_exposition)."""
        return await metrics_exposition(self._store)

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


async def metrics_exposition(store: Store) -> str:
    """The Prometheus text exposition of the database's metrics, for an application's /metrics endpoint:
    per-queue message gauges (label ``queue``), workers and workflow runs per status (label ``status``)."""
    return await _call(_pgqrs.metrics_exposition, store._h)


async def produce(store: Store, queue: str, payload: Any) -> int:
    """Enqueues one payload without a registered producer; returns the message id."""
    h = store._h
    return await _hot(h.inline_calls, h.produce, h.start_produce, queue, _dumps(payload))


async def produce_batch(store: Store, queue: str, payloads: List[Any]) -> List[int]:
    """Enqueues payloads (all or nothing) without a registered producer; returns their ids."""
    h = store._h
    return await _hot(h.inline_calls, h.produce_batch, h.start_produce_batch, queue, [_dumps(p) for p in payloads])


async def enqueue(producer: Producer, payload: Any) -> int:
    return await producer.enqueue(payload)


async def enqueue_batch(producer: Producer, payloads: List[Any]) -> List[int]:
    """Enqueues payloads through the producer, all or nothing; returns their ids."""
    h = producer._h
    return await _hot(h.inline_calls, h.enqueue_batch, h.start_enqueue_batch, [_dumps(p) for p in payloads])


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
