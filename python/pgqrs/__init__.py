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

from ._pgqrs import (
    Config,
    QueueInfo,
    QueueMessage,
    ConfigError,
    InternalError,
    MessageNotFoundError,
    PausedError,
    PgqrsConnectionError,
    PgqrsError,
    QueueAlreadyExistsError,
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
from ._queue import (
    Admin,
    Consumer,
    Producer,
    Store,
    admin,
    archive,
    archive_batch,
    connect,
    connect_with,
    delete,
    dequeue,
    enqueue,
    enqueue_batch,
    enqueue_delayed,
    extend_vt,
    produce,
    produce_batch,
)

__all__ = [
    "Config",
    "QueueInfo",
    "QueueMessage",
    "ConfigError",
    "InternalError",
    "MessageNotFoundError",
    "PausedError",
    "PgqrsConnectionError",
    "PgqrsError",
    "QueueAlreadyExistsError",
    "QueueNotFoundError",
    "RateLimitedError",
    "RetriesExhaustedError",
    "SerializationError",
    "StateTransitionError",
    "StepNotReadyError",
    "TimeoutError",
    "TransientStepError",
    "ValidationError",
    "WorkerNotFoundError",
    "Admin",
    "Consumer",
    "Producer",
    "Store",
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
