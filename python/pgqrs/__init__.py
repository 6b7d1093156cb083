"""pgqrs: a job queue in PostgreSQL, SQLite, Turso or S3, on the pgqrs-cpp core.

A drop-in replacement for the original ``pgqrs`` Python package: the same names, signatures and
asynchronous calls (awaitables), the same exception classes.

How the calls are asynchronous: every awaitable runs one call of the synchronous native module
(``pgqrs._pgqrs``) on a pool of Python threads (``_util._Hops``: what ``loop.run_in_executor(None, ...)``
does, at about half its cost per call), and the native module releases the GIL for the whole database call.
So the event loop never blocks on the database, other coroutines and threads run Python meanwhile, and calls
from several coroutines proceed in parallel, up to the pool's thread count (min(32, cores + 4)). This is the
simplest choice that is correct for short calls (enqueue, dequeue, archive: one round trip each); it needs no
callbacks from C++ threads into Python, and the pool's threads stop at interpreter exit as an executor's do,
so nothing can run Python code during interpreter shutdown. Cancelling an awaiting coroutine does not stop
the database call that is already running: it completes and its result is dropped, except a claim
(``Consumer.dequeue``, the poll loops), whose messages are released. Poll loops (``pgqrs.dequeue()...poll()``,
``consume_iter``) are asyncio loops of such short calls, with ``asyncio.sleep`` between empty polls, so a
waiting coroutine holds no thread.

On PostgreSQL the hot calls (``produce``, ``Producer.enqueue``, their batches, ``Consumer.dequeue``,
``archive``, ``archive_many``, the claims, archives, step checkpoints and completions of the poll loops) skip
the thread: they run on the event loop's own thread in a fiber of the native module (``_util._hot``,
``_pgqrs.InlineCall``) that stops where it would wait for its connection's socket, and the loop waits for
that socket (``add_reader``) among its other work. What cannot wait on a socket (connecting, waiting for a
pooled connection) still runs on a thread. A cancellation that arrives meanwhile waits for the call to end
(a claim is released then) and goes on.

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
from ._pgqrs import RunRecord, StepRecord, WorkflowRecord
from ._enums import WorkflowStatus
from ._workflow import (
    BackoffStrategy,
    Run,
    RunBuilder,
    StepBuilder,
    StepGuard,
    StepResult,
    StepResultStatus,
    StepRetryPolicy,
    WorkflowBuilder,
    WorkflowRuns,
    Workflows,
    WorkflowSteps,
    WorkflowTriggerBuilder,
    run,
    step,
    workflow,
)
from .decorators import WorkflowDef
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
    enqueue,
    enqueue_batch,
    enqueue_delayed,
    extend_vt,
    metrics_exposition,
    produce,
    produce_batch,
)
from ._pgqrs import QueueMetrics, RetentionReport, SystemStats, WorkerHealthStats, WorkerStats
from ._enums import WorkerStatus
from ._consume import ConsumerIterator, consume, consume_batch
from ._dequeue import DequeueBuilder, dequeue, dequeue_builder
from ._tables import Messages, Queues, WorkerInfo, Workers
from ._s3 import DurabilityMode, S3StoreHandle, SyncState, as_s3

__all__ = [
    "Admin",
    "BackoffStrategy",
    "Config",
    "ConfigError",
    "Consumer",
    "ConsumerIterator",
    "DequeueBuilder",
    "DurabilityMode",
    "InternalError",
    "MessageNotFoundError",
    "Messages",
    "PausedError",
    "PgqrsConnectionError",
    "PgqrsError",
    "Producer",
    "QueueAlreadyExistsError",
    "QueueInfo",
    "QueueMessage",
    "QueueMetrics",
    "QueueNotFoundError",
    "Queues",
    "RateLimitedError",
    "RetentionReport",
    "RetriesExhaustedError",
    "Run",
    "RunBuilder",
    "RunRecord",
    "S3StoreHandle",
    "SerializationError",
    "StateTransitionError",
    "StepBuilder",
    "StepGuard",
    "StepNotReadyError",
    "StepRecord",
    "StepResult",
    "StepResultStatus",
    "StepRetryPolicy",
    "Store",
    "SyncState",
    "SystemStats",
    "TimeoutError",
    "TransientStepError",
    "ValidationError",
    "WorkerHealthStats",
    "WorkerInfo",
    "WorkerNotFoundError",
    "WorkerStats",
    "WorkerStatus",
    "Workers",
    "WorkflowBuilder",
    "WorkflowDef",
    "WorkflowRecord",
    "WorkflowRuns",
    "WorkflowStatus",
    "WorkflowSteps",
    "WorkflowTriggerBuilder",
    "Workflows",
    "admin",
    "archive",
    "archive_batch",
    "as_s3",
    "connect",
    "connect_with",
    "consume",
    "consume_batch",
    "delete",
    "dequeue",
    "dequeue_builder",
    "enqueue",
    "enqueue_batch",
    "enqueue_delayed",
    "extend_vt",
    "metrics_exposition",
    "produce",
    "produce_batch",
    "run",
    "step",
    "workflow",
]
