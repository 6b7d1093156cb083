"""
Native core of the pgqrs package (synchronous; the GIL is released on every blocking call).
"""

from collections.abc import Sequence


class PgqrsError(Exception):
    """Base class of every pgqrs error."""

class PgqrsConnectionError(PgqrsError):
    """Connecting to or querying the database failed."""

class QueueNotFoundError(PgqrsError):
    """The queue does not exist."""

class WorkerNotFoundError(PgqrsError):
    """The worker does not exist."""

class QueueAlreadyExistsError(PgqrsError):
    """A queue with that name exists."""

class MessageNotFoundError(PgqrsError):
    """The message does not exist."""

class SerializationError(PgqrsError):
    """A value could not be converted to or from JSON."""

class ConfigError(PgqrsError):
    """A configuration value (DSN, schema, setting) is missing or invalid."""

class RateLimitedError(PgqrsError):
    """The producer's enqueue rate limit was exceeded."""

class ValidationError(PgqrsError):
    """Input or state rejected by a validation rule."""

class TimeoutError(PgqrsError):
    """An operation timed out."""

class InternalError(PgqrsError):
    """An unexpected state inside the library."""

class StateTransitionError(PgqrsError):
    """A worker status change the state machine refuses."""

class TransientStepError(PgqrsError):
    """A workflow step failure that may go away (retried)."""

class RetriesExhaustedError(PgqrsError):
    """A workflow step failed after all its retries."""

class StepNotReadyError(PgqrsError):
    """A workflow step's retry is scheduled for later."""

class PausedError(PgqrsError):
    """A workflow run is paused."""

class Config:
    """Connection and behaviour settings of a store."""

    def __init__(self, dsn: str, schema: str | None = None, max_connections: int | None = None) -> None: ...

    @staticmethod
    def from_dsn(dsn: str) -> Config: ...

    @property
    def dsn(self) -> str: ...

    def __repr__(self) -> str: ...

    @property
    def schema(self) -> object: ...

    @schema.setter
    def schema(self, arg: object, /) -> None: ...

    @property
    def max_connections(self) -> object: ...

    @max_connections.setter
    def max_connections(self, arg: object, /) -> None: ...

    @property
    def connection_timeout_seconds(self) -> object: ...

    @connection_timeout_seconds.setter
    def connection_timeout_seconds(self, arg: object, /) -> None: ...

    @property
    def default_lock_time_seconds(self) -> object: ...

    @default_lock_time_seconds.setter
    def default_lock_time_seconds(self, arg: object, /) -> None: ...

    @property
    def default_max_batch_size(self) -> object: ...

    @default_max_batch_size.setter
    def default_max_batch_size(self, arg: object, /) -> None: ...

    @property
    def max_read_ct(self) -> object: ...

    @max_read_ct.setter
    def max_read_ct(self, arg: object, /) -> None: ...

    @property
    def heartbeat_interval_seconds(self) -> object: ...

    @heartbeat_interval_seconds.setter
    def heartbeat_interval_seconds(self, arg: object, /) -> None: ...

    @property
    def poll_interval_ms(self) -> object: ...

    @poll_interval_ms.setter
    def poll_interval_ms(self, arg: object, /) -> None: ...

    @property
    def prepared_statements(self) -> object: ...

    @prepared_statements.setter
    def prepared_statements(self, arg: object, /) -> None: ...

    @property
    def sqlite_use_wal(self) -> object: ...

    @sqlite_use_wal.setter
    def sqlite_use_wal(self, arg: object, /) -> None: ...

    @property
    def sqlite_busy_timeout_ms(self) -> object: ...

    @sqlite_busy_timeout_ms.setter
    def sqlite_busy_timeout_ms(self, arg: object, /) -> None: ...

    @property
    def sqlite_synchronous(self) -> object: ...

    @sqlite_synchronous.setter
    def sqlite_synchronous(self, arg: object, /) -> None: ...

    @property
    def max_payload_size_bytes(self) -> int: ...

    @max_payload_size_bytes.setter
    def max_payload_size_bytes(self, arg: int, /) -> None: ...

    @property
    def max_string_length(self) -> int: ...

    @max_string_length.setter
    def max_string_length(self, arg: int, /) -> None: ...

    @property
    def max_object_depth(self) -> int: ...

    @max_object_depth.setter
    def max_object_depth(self, arg: int, /) -> None: ...

    @property
    def forbidden_keys(self) -> list[str]: ...

    @forbidden_keys.setter
    def forbidden_keys(self, arg: Sequence[str], /) -> None: ...

    @property
    def required_keys(self) -> list[str]: ...

    @required_keys.setter
    def required_keys(self, arg: Sequence[str], /) -> None: ...

    @property
    def max_enqueue_per_second(self) -> int | None: ...

    @max_enqueue_per_second.setter
    def max_enqueue_per_second(self, arg: int | None, /) -> None: ...

    @property
    def max_enqueue_burst(self) -> int | None: ...

    @max_enqueue_burst.setter
    def max_enqueue_burst(self, arg: int | None, /) -> None: ...

class QueueMessage:
    """A message, live or archived (read-only)."""

    @property
    def id(self) -> int: ...

    @property
    def queue_id(self) -> int: ...

    @property
    def payload(self) -> object: ...

    @property
    def vt(self) -> object: ...

    @property
    def enqueued_at(self) -> object: ...

    @property
    def read_ct(self) -> int: ...

    @property
    def dequeued_at(self) -> object: ...

    @property
    def producer_worker_id(self) -> int | None: ...

    @property
    def consumer_worker_id(self) -> int | None: ...

    @property
    def archived_at(self) -> object: ...

    def __repr__(self) -> str: ...

class QueueInfo:
    """A queue (read-only)."""

    @property
    def id(self) -> int: ...

    @property
    def queue_name(self) -> str: ...

    def __repr__(self) -> str: ...

class StoreHandle:
    """Synchronous store handle; use pgqrs.connect()."""

    @property
    def backend_name(self) -> str: ...

    def queue(self, name: str) -> QueueInfo: ...

    def producer(self, queue: str, name: str) -> ProducerHandle: ...

    def consumer(self, queue: str, name: str) -> ConsumerHandle: ...

    def install(self) -> None: ...

    def verify(self) -> None: ...

    def delete_queue(self, name: str) -> None: ...

    def produce(self, queue: str, payload: str) -> int: ...

    def produce_batch(self, queue: str, payloads: Sequence[str]) -> list[int]: ...

class ProducerHandle:
    """Synchronous producer handle; use store.producer()."""

    @property
    def worker_id(self) -> int: ...

    def enqueue(self, payload: str) -> int: ...

    def enqueue_delayed(self, payload: str, delay_seconds: int) -> int: ...

    def enqueue_batch(self, payloads: Sequence[str]) -> list[int]: ...

class ConsumerHandle:
    """Synchronous consumer handle; use store.consumer()."""

    @property
    def worker_id(self) -> int: ...

    def dequeue(self, batch_size: int) -> list[QueueMessage]: ...

    def dequeue_many_with_delay(self, limit: int, vt: int) -> list[QueueMessage]: ...

    def archive(self, message_id: int) -> bool: ...

    def archive_many(self, message_ids: Sequence[int]) -> list[bool]: ...

    def delete(self, message_id: int) -> bool: ...

    def delete_many(self, message_ids: Sequence[int]) -> list[bool]: ...

    def extend_vt(self, message_id: int, seconds: int) -> bool: ...

    def release_messages(self, message_ids: Sequence[int]) -> int: ...

def connect(dsn: str) -> StoreHandle: ...

def connect_with(config: Config) -> StoreHandle: ...
