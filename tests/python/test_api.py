"""Configuration, connection errors, the exception hierarchy and the async behaviour (no database needed,
except where a test says so)."""

from __future__ import annotations

import asyncio
import socket
import threading

import pytest

import pgqrs

ERRORS = ["PgqrsConnectionError", "QueueNotFoundError", "WorkerNotFoundError", "QueueAlreadyExistsError",
          "MessageNotFoundError", "SerializationError", "ConfigError", "RateLimitedError", "ValidationError",
          "TimeoutError", "InternalError", "StateTransitionError", "TransientStepError", "RetriesExhaustedError",
          "StepNotReadyError", "PausedError"]


def test_exception_hierarchy():
    assert issubclass(pgqrs.PgqrsError, Exception)
    assert pgqrs.PgqrsError.__module__ == "pgqrs"
    for name in ERRORS:
        cls = getattr(pgqrs, name)
        assert issubclass(cls, pgqrs.PgqrsError), name
        assert cls.__module__ == "pgqrs" and cls.__name__ == name
    # users raise TransientStepError themselves and attach attributes
    e = pgqrs.TransientStepError("busy")
    e.code = "BUSY"
    assert str(e) == "busy" and e.code == "BUSY"


def test_everything_in_all_exists():
    for name in pgqrs.__all__:
        assert hasattr(pgqrs, name), name


@pytest.mark.parametrize("dsn", ["mysql://localhost/db", "not a dsn", "", "turso://", "turso:///tmp/"])
async def test_bad_dsn_raises_config_error(dsn):
    with pytest.raises(pgqrs.ConfigError):
        await pgqrs.connect(dsn)


def test_bad_dsn_in_config_raises_config_error():
    with pytest.raises(pgqrs.ConfigError):
        pgqrs.Config("mysql://localhost/db")
    with pytest.raises(pgqrs.ConfigError):
        pgqrs.Config.from_dsn("bogus")


def test_config_defaults_and_constructor_arguments():
    c = pgqrs.Config("postgresql://u:secret@localhost/db", schema="app", max_connections=3)
    assert c.dsn == "postgresql://u:secret@localhost/db"
    assert c.schema == "app"
    assert c.max_connections == 3
    assert "secret" not in repr(c)
    d = pgqrs.Config.from_dsn("sqlite::memory:")
    assert d.schema == "public"
    assert d.max_connections == 16
    assert d.connection_timeout_seconds == 30
    assert d.default_lock_time_seconds == 5
    assert d.default_max_batch_size == 100
    assert d.max_read_ct == 5
    assert d.heartbeat_interval_seconds == 5
    assert d.poll_interval_ms == 250
    assert d.sqlite_use_wal is True
    assert d.max_payload_size_bytes == 1048576
    assert d.max_string_length == 1024
    assert d.max_object_depth == 5
    assert d.forbidden_keys == ["__proto__", "constructor"]
    assert d.required_keys == []
    assert d.max_enqueue_per_second == 1000
    assert d.max_enqueue_burst == 50


def test_config_properties_are_writable():
    c = pgqrs.Config("sqlite::memory:")
    c.schema = "other"
    c.max_connections = 2
    c.connection_timeout_seconds = 3
    c.default_lock_time_seconds = 7
    c.default_max_batch_size = 10
    c.max_read_ct = 9
    c.heartbeat_interval_seconds = 1
    c.poll_interval_ms = 20
    c.sqlite_use_wal = False
    c.max_payload_size_bytes = 100
    c.forbidden_keys = ["bad"]
    c.required_keys = ["id"]
    c.max_enqueue_per_second = None
    c.max_enqueue_burst = None
    assert (c.schema, c.max_connections, c.connection_timeout_seconds, c.default_lock_time_seconds) == ("other", 2, 3, 7)
    assert (c.default_max_batch_size, c.max_read_ct, c.heartbeat_interval_seconds, c.poll_interval_ms) == (10, 9, 1, 20)
    assert c.sqlite_use_wal is False
    assert (c.max_payload_size_bytes, c.forbidden_keys, c.required_keys) == (100, ["bad"], ["id"])
    assert c.max_enqueue_per_second is None and c.max_enqueue_burst is None
    with pytest.raises(AttributeError):
        c.dsn = "sqlite::memory:"


def test_config_rejects_wrong_types_and_values():
    c = pgqrs.Config("sqlite::memory:")
    with pytest.raises(TypeError):
        c.max_connections = "many"
    with pytest.raises(TypeError):
        c.sqlite_use_wal = 1
    with pytest.raises(pgqrs.ConfigError):
        c.max_connections = -1
    with pytest.raises(pgqrs.ConfigError):
        c.schema = "bad schema;"


def test_direct_construction_is_disabled():
    with pytest.raises(RuntimeError, match="Use store.producer"):
        pgqrs.Producer()
    with pytest.raises(RuntimeError, match="Use store.consumer"):
        pgqrs.Consumer()
    with pytest.raises(RuntimeError):
        pgqrs.Store()
    with pytest.raises(TypeError):
        pgqrs.admin("not a store")


async def test_sqlite_memory_store_works():
    store = await pgqrs.connect("sqlite::memory:")
    await pgqrs.admin(store).install()
    await store.queue("mem")
    assert await pgqrs.produce(store, "mem", {"a": 1}) >= 1


async def test_verify_on_an_empty_database_raises_validation_error(tmp_path):
    store = await pgqrs.connect(f"sqlite://{tmp_path / 'empty.db'}")
    with pytest.raises(pgqrs.ValidationError):
        await pgqrs.admin(store).verify()


class SilentServer:
    """A loopback TCP server that accepts connections and never answers (a hung database)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.conns = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(conn)

    def close(self):
        self.sock.close()
        for c in self.conns:
            c.close()


async def test_a_hung_connect_does_not_block_the_event_loop():
    server = SilentServer()
    try:
        config = pgqrs.Config(f"postgresql://postgres@127.0.0.1:{server.port}/postgres")
        config.connection_timeout_seconds = 2
        ticks = 0

        async def ticker():
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        task = asyncio.create_task(ticker())
        loop = asyncio.get_running_loop()
        start = loop.time()
        with pytest.raises(pgqrs.PgqrsConnectionError) as err:
            await pgqrs.connect_with(config)
        elapsed = loop.time() - start
        task.cancel()
        assert elapsed >= 1.0, elapsed  # the connect really waited
        # the loop kept running (and so the GIL was free) while the native call waited
        assert ticks >= elapsed * 100 * 0.3, (ticks, elapsed)
        assert err.value.retryable in (True, False)
        assert hasattr(err.value, "sqlstate")
    finally:
        server.close()


async def test_refused_connection_raises_connection_error():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    with pytest.raises(pgqrs.PgqrsConnectionError):
        store = await pgqrs.connect(f"postgresql://postgres@127.0.0.1:{port}/postgres")
        await pgqrs.admin(store).install()
