"""Compatibility scenarios: the same script runs under the ORIGINAL pgqrs (PyPI 0.15.3, its own virtualenv)
and under ours, each against fresh schemas of its own, and prints what it observed as JSON; test_compat.py
compares the two outputs.

    python scenarios.py --dsn POSTGRES_DSN [--only NAME ...] [--list]

Adding a scenario: write ``async def name(ctx)`` below, decorate it with ``@scenario``, and record what a
user of the package would see with ``ctx.obs`` / ``await ctx.call`` / ``ctx.sync``: return values, record
attributes, exception classes and texts. Everything recorded must be deterministic on a fresh schema (ids
start at 1); record times through ``ctx.obs`` as they are (``norm`` reduces an RFC 3339 string to a
marker) or as rounded differences (``seconds``); name the workers a scenario registers with ``ctx.name``
(message attributes then show the name, not an id that depends on how many workers each package
registers behind the scenes); record batches of messages with ``by_id`` where the order is not the point.
Only the API both packages share belongs here.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import subprocess
import sys
import tempfile
from datetime import datetime
from typing import Any, Awaitable, Callable

import pgqrs

SCENARIOS: dict[str, Callable[["Ctx"], Awaitable[None]]] = {}


def scenario(fn):
    SCENARIOS[fn.__name__] = fn
    return fn


TIME_ATTRS = ("vt", "enqueued_at", "dequeued_at", "archived_at", "heartbeat_at", "created_at", "updated_at",
              "retry_at")
RECORD_ATTRS = {
    "QueueMessage": ("id", "queue_id", "payload", "read_ct", "vt", "enqueued_at", "dequeued_at",
                     "producer_worker_id", "consumer_worker_id", "archived_at"),
    "QueueInfo": ("id", "queue_name"),
    "WorkflowRecord": ("id", "name", "queue_id"),
    "RunRecord": ("id", "workflow_id", "status", "input", "output", "error"),
    # Step ids are left out: both packages upsert steps, and how many sequence values an upsert uses differs.
    "StepRecord": ("run_id", "step_name", "status", "output", "error"),
    "StepResult": ("status", "value"),
}


WORKER_ATTRS = ("producer_worker_id", "consumer_worker_id")


def norm(v: Any, workers: dict[int, str] | None = None) -> Any:
    """A JSON-able picture of a value: records as their attributes, RFC 3339 times as a marker (their value is
    never the same twice), worker ids as the names given with Ctx.name, exceptions as class name and text."""
    workers = workers or {}
    if isinstance(v, BaseException):
        return {"raises": type(v).__name__, "text": str(v)}
    if v is None or isinstance(v, (bool, int)):
        return v
    if isinstance(v, float):
        return v if math.isfinite(v) else repr(v)
    if isinstance(v, str):
        return rfc3339_marker(v) or v
    if isinstance(v, (list, tuple)):
        return [norm(x, workers) for x in v]
    if isinstance(v, dict):
        return {str(k): norm(x, workers) for k, x in v.items()}
    name = type(v).__name__
    if name in RECORD_ATTRS:
        out = {"type": name}
        for a in RECORD_ATTRS[name]:
            try:
                value = getattr(v, a)
            except Exception as e:  # a missing attribute is an observation too
                out[a] = norm(e)
                continue
            if a in WORKER_ATTRS and value is not None:
                value = workers.get(value, "<a worker the scenario did not name>")
            out[a] = norm(value, workers)
        return out
    return {"type": name}


def rfc3339_marker(s: str) -> str | None:
    if len(s) < 20 or s[4:5] != "-" or "T" not in s:
        return None
    try:
        datetime.fromisoformat(s)
    except ValueError:
        return None
    return "<time +00:00>" if s.endswith("+00:00") else "<time, other offset>"


def by_id(messages: Any) -> Any:
    """A batch sorted by message id (the original returns a claimed batch in no particular order). ``obs``
    and ``call`` record every list of messages this way."""
    if isinstance(messages, list) and messages and all(type(m).__name__ == "QueueMessage" for m in messages):
        return sorted(messages, key=lambda m: m.id)
    return messages


def seconds(later: str, earlier: str) -> int:
    """Whole seconds between two RFC 3339 times."""
    return round((datetime.fromisoformat(later) - datetime.fromisoformat(earlier)).total_seconds())


class Ctx:
    def __init__(self, dsn: str, tag: str) -> None:
        self.dsn = dsn
        self.tag = tag
        self.observations: list[list[Any]] = []
        self.schemas: list[str] = []
        self.workers: dict[int, str] = {}
        self.tmp = tempfile.mkdtemp(prefix="pgqrs-compat-")

    def obs(self, label: str, value: Any) -> None:
        if any(o[0] == label for o in self.observations):
            raise AssertionError(f"observation label {label!r} used twice")
        self.observations.append([label, norm(by_id(value), self.workers)])

    def name(self, worker: Any, name: str) -> Any:
        """Names a producer or consumer in the observations; returns it."""
        self.workers[worker.worker_id] = name
        return worker

    async def call(self, label: str, fn: Callable[..., Awaitable[Any]], *args: Any, **kwargs: Any) -> Any:
        """Awaits fn(*args); records the result or the exception. Returns the result (None if it raised)."""
        try:
            result = await fn(*args, **kwargs)
        except Exception as e:
            self.obs(label, e)
            return None
        self.obs(label, result)
        return result

    def sync(self, label: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            result = fn(*args, **kwargs)
        except Exception as e:
            self.obs(label, e)
            return None
        self.obs(label, result)
        return result

    def psql(self, sql: str) -> None:
        subprocess.run(["psql", "-q", "-X", "-v", "ON_ERROR_STOP=1", self.dsn, "-c", sql], check=True,
                       capture_output=True)

    def config(self, **settings: Any) -> pgqrs.Config:
        """Settings of a fresh, empty schema (created here: the original needs it to exist)."""
        schema = f"compat_{self.tag}_{os.getpid()}_{len(self.schemas)}"
        self.psql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE; CREATE SCHEMA "{schema}"')
        self.schemas.append(schema)
        cfg = pgqrs.Config(self.dsn, schema=schema)
        for k, v in settings.items():
            setattr(cfg, k, v)
        return cfg

    async def store(self, **settings: Any):
        """An installed store on a fresh schema; keyword arguments are Config properties."""
        s = await pgqrs.connect_with(self.config(**settings))
        await pgqrs.admin(s).install()
        return s

    async def leased(self, n: int):
        """A fresh store with queue "q" holding n messages {"n": 0..n-1}, all leased to a consumer named
        "consumer": (store, consumer, messages by id)."""
        store = await self.store()
        await store.queue("q")
        await pgqrs.produce_batch(store, "q", [{"n": i} for i in range(n)])
        consumer = self.name(await store.consumer("q"), "consumer")
        return store, consumer, by_id(await consumer.dequeue(batch_size=n))

    def close(self) -> None:
        for schema in self.schemas:
            self.psql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


# ---------------------------------------------------------------------------------------------- scenarios


@scenario
async def queue_create(ctx: Ctx) -> None:
    store = await ctx.store()
    await ctx.call("queue", store.queue, "tasks")
    await ctx.call("second queue", store.queue, "emails")
    await ctx.call("duplicate queue", store.queue, "tasks")
    await ctx.call("duplicate queue again", store.queue, "emails")


@scenario
async def produce_and_enqueue(ctx: Ctx) -> None:
    store = await ctx.store()
    await store.queue("q")
    await ctx.call("produce", pgqrs.produce, store, "q", {"k": "v", "n": 1})
    await ctx.call("produce_batch", pgqrs.produce_batch, store, "q", [{"i": 0}, {"i": 1}, {"i": 2}])
    await ctx.call("produce_batch empty", pgqrs.produce_batch, store, "q", [])
    producer = ctx.name(await store.producer("q"), "producer")
    ctx.obs("producer type", type(producer).__name__)
    ctx.obs("producer worker_id type", type(producer.worker_id).__name__)
    await ctx.call("producer.enqueue", producer.enqueue, {"p": True})
    await ctx.call("enqueue", pgqrs.enqueue, producer, [1, 2, 3])
    await ctx.call("enqueue scalar", pgqrs.enqueue, producer, "just a string")
    await ctx.call("enqueue_batch", pgqrs.enqueue_batch, producer, [{"b": 1}, {"b": 2}])
    await ctx.call("producer.enqueue_delayed", producer.enqueue_delayed, {"later": 1}, 3600)
    await ctx.call("enqueue_delayed", pgqrs.enqueue_delayed, producer, {"later": 2}, 3600)
    consumer = ctx.name(await store.consumer("q"), "consumer")
    msgs = await ctx.call("dequeue 20", consumer.dequeue, batch_size=20)
    ctx.obs("payloads in order", [m.payload for m in msgs])
    ctx.obs("delayed ones not ready", [m.id for m in msgs if m.payload in ({"later": 1}, {"later": 2})])


@scenario
async def payload_values(ctx: Ctx) -> None:
    """How values survive the round trip: JSON types, big and negative ints, floats, unicode, nesting, and the
    original's rule that an object with an "input" key reads back as that key's value."""
    store = await ctx.store()
    await store.queue("q")
    payloads = [
        {"int": 42, "neg": -7, "big": 2**62, "float": 1.5, "exp": 1e300, "t": True, "f": False, "none": None},
        {"unicode": "héllo wörld ✓ 日本", "escape": "quote\" backslash\\ newline\n tab\t"},
        {"nested": {"a": [1, {"b": [2, 3]}], "empty_list": [], "empty_obj": {}}},
        {"input": {"x": 1}},
        {"input": 5, "other": 1},
        [{"input": 1}],
        0,
        -1.25,
        True,
        None,
        "",
        [],
        {},
    ]
    for i, p in enumerate(payloads):
        await ctx.call(f"produce {i}", pgqrs.produce, store, "q", p)
    consumer = ctx.name(await store.consumer("q"), "consumer")
    msgs = await consumer.dequeue(batch_size=len(payloads))
    for m in by_id(msgs):
        ctx.obs(f"payload of {m.id}", m.payload)
        ctx.obs(f"payload type of {m.id}", type(m.payload).__name__)


@scenario
async def dequeue_and_message_attributes(ctx: Ctx) -> None:
    store = await ctx.store()
    await store.queue("q")
    producer = ctx.name(await store.producer("q"), "producer")
    await pgqrs.enqueue_batch(producer, [{"n": i} for i in range(6)])
    consumer = ctx.name(await store.consumer("q"), "consumer")
    ctx.obs("consumer type", type(consumer).__name__)
    one = await ctx.call("dequeue default", consumer.dequeue)
    m = one[0]
    ctx.obs("producer_worker_id is the producer", m.producer_worker_id == producer.worker_id)
    ctx.obs("consumer_worker_id is the consumer", m.consumer_worker_id == consumer.worker_id)
    ctx.obs("lease seconds", seconds(m.vt, m.dequeued_at) if m.dequeued_at else None)
    ctx.obs("vt after enqueued_at", m.vt > m.enqueued_at)
    await ctx.call("module dequeue 2", pgqrs.dequeue, consumer, 2)
    await ctx.call("dequeue_many_with_delay", consumer.dequeue_many_with_delay, 2, 120)
    later = await consumer.dequeue(batch_size=10)
    ctx.obs("last one", later)
    ctx.obs("nothing left", await consumer.dequeue(batch_size=10))
    other = ctx.name(await store.consumer("q"), "other")
    ctx.obs("other consumer sees nothing", await other.dequeue(batch_size=10))


@scenario
async def delayed_messages(ctx: Ctx) -> None:
    store = await ctx.store()
    await store.queue("q")
    producer = ctx.name(await store.producer("q"), "producer")
    mid = await pgqrs.enqueue_delayed(producer, {"d": 1}, 3600)
    await producer.enqueue({"now": 1})
    consumer = ctx.name(await store.consumer("q"), "consumer")
    msgs = await ctx.call("dequeue", consumer.dequeue, batch_size=10)
    ctx.obs("delayed id not among them", all(m.id != mid for m in msgs))


@scenario
async def archive_and_delete(ctx: Ctx) -> None:
    store, consumer, msgs = await ctx.leased(8)
    ids = [m.id for m in msgs]
    await ctx.call("archive", consumer.archive, ids[0])
    await ctx.call("archive again", consumer.archive, ids[0])
    await ctx.call("archive unknown id", consumer.archive, 999_999)
    await ctx.call("archive_many", consumer.archive_many, [ids[1], ids[2], 999_999])
    await ctx.call("module archive", pgqrs.archive, consumer, msgs[3])
    await ctx.call("module archive again", pgqrs.archive, consumer, msgs[3])
    await ctx.call("module archive_batch", pgqrs.archive_batch, consumer, [msgs[4]])
    await ctx.call("delete", consumer.delete, ids[5])
    await ctx.call("delete again", consumer.delete, ids[5])
    await ctx.call("delete archived", consumer.delete, ids[0])
    await ctx.call("delete_many", consumer.delete_many, [ids[6], 999_999])
    await ctx.call("module delete", pgqrs.delete, consumer, msgs[7])
    await ctx.call("module delete again", pgqrs.delete, consumer, msgs[7])
    other = ctx.name(await store.consumer("q"), "other")
    await pgqrs.produce(store, "q", {"n": 8})
    held = await other.dequeue()
    await ctx.call("archive by a consumer not holding it", consumer.archive, held[0].id)
    await ctx.call("delete by a consumer not holding it", consumer.delete, held[0].id)
    await ctx.call("archive by its holder", other.archive, held[0].id)


@scenario
async def leases(ctx: Ctx) -> None:
    store, consumer, msgs = await ctx.leased(4)
    ids = [m.id for m in msgs]
    await ctx.call("extend_vt", consumer.extend_vt, ids[0], 600)
    await ctx.call("module extend_vt", pgqrs.extend_vt, consumer, msgs[1], 600)
    await ctx.call("extend_vt unknown", consumer.extend_vt, 999_999, 10)
    await ctx.call("release_messages", consumer.release_messages, [ids[2], ids[3]])
    await ctx.call("release_messages again", consumer.release_messages, [ids[2]])
    await ctx.call("release_messages unknown", consumer.release_messages, [999_999])
    again = await ctx.call("dequeue released", consumer.dequeue, batch_size=10)
    ctx.obs("read_ct after redelivery", [m.read_ct for m in again or []])
    other = ctx.name(await store.consumer("q"), "other")
    await ctx.call("extend_vt by another consumer", other.extend_vt, ids[0], 10)
    await ctx.call("release by another consumer", other.release_messages, [ids[1]])


@scenario
async def rate_limit(ctx: Ctx) -> None:
    store = await ctx.store(max_enqueue_per_second=1, max_enqueue_burst=2)
    await store.queue("q")
    producer = ctx.name(await store.producer("q"), "producer")
    await ctx.call("enqueue 1", producer.enqueue, {"n": 1})
    await ctx.call("enqueue 2", producer.enqueue, {"n": 2})
    await ctx.call("enqueue 3 (over the burst)", producer.enqueue, {"n": 3})
    await ctx.call("batch larger than the burst", pgqrs.enqueue_batch, producer, [{"n": 4}, {"n": 5}, {"n": 6}])
    # An ephemeral producer gets a full bucket on every call.
    await ctx.call("produce", pgqrs.produce, store, "q", {"n": 7})
    await ctx.call("produce again", pgqrs.produce, store, "q", {"n": 8})
    defaults = await ctx.store()
    await defaults.queue("q")
    p2 = await defaults.producer("q")
    await ctx.call("default burst: batch of 51", pgqrs.enqueue_batch, p2, [{"n": i} for i in range(51)])
    await ctx.call("default burst: batch of 50", pgqrs.enqueue_batch, p2, [{"n": i} for i in range(50)])
    off = await ctx.store(max_enqueue_per_second=None, max_enqueue_burst=None)
    await off.queue("q")
    p3 = await off.producer("q")
    ids = await ctx.call("no limit: batch of 200", pgqrs.enqueue_batch, p3, [{"n": i} for i in range(200)])
    ctx.obs("no limit: count", len(ids or []))


@scenario
async def payload_validation(ctx: Ctx) -> None:
    store = await ctx.store(max_payload_size_bytes=100, max_string_length=10, max_object_depth=2,
                            forbidden_keys=["secret"], required_keys=["kind"],
                            max_enqueue_per_second=None, max_enqueue_burst=None)
    await store.queue("q")
    producer = ctx.name(await store.producer("q"), "producer")
    await ctx.call("valid", producer.enqueue, {"kind": "a"})
    await ctx.call("too large", producer.enqueue, {"kind": "a", "x": ["0123456789"] * 12})
    await ctx.call("string too long", producer.enqueue, {"kind": "a", "x": "01234567890"})
    await ctx.call("key too long", producer.enqueue, {"kind": "a", "01234567890": 1})
    await ctx.call("depth 2 ok", producer.enqueue, {"kind": "a", "x": {"y": 1}})
    await ctx.call("too deep", producer.enqueue, {"kind": "a", "x": {"y": {"z": {"w": 1}}}})
    await ctx.call("forbidden key", producer.enqueue, {"kind": "a", "secret": 1})
    await ctx.call("forbidden key nested", producer.enqueue, {"kind": "a", "x": {"secret": 1}})
    await ctx.call("required key missing", producer.enqueue, {"x": 1})
    await ctx.call("non-object skips required keys", producer.enqueue, [1, 2])
    await ctx.call("batch: second invalid", pgqrs.enqueue_batch, producer, [{"kind": "a"}, {"x": 1}])
    await ctx.call("batch: second too large", pgqrs.enqueue_batch, producer,
                   [{"kind": "a"}, {"kind": "a", "x": ["0123456789"] * 12}])
    await ctx.call("single-element batch invalid", pgqrs.enqueue_batch, producer, [{"x": 1}])
    await ctx.call("produce checks too", pgqrs.produce, store, "q", {"x": 1})
    await ctx.call("delayed checks too", producer.enqueue_delayed, {"x": 1}, 10)
    await ctx.call("unicode size", producer.enqueue, {"kind": "é" * 10, "y": "日本語日本語日本語"})


@scenario
async def bad_payloads(ctx: Ctx) -> None:
    store = await ctx.store()
    await store.queue("q")
    producer = ctx.name(await store.producer("q"), "producer")
    await ctx.call("object() payload", producer.enqueue, {"o": object()})
    await ctx.call("set payload", pgqrs.produce, store, "q", {1, 2})
    await ctx.call("NaN", producer.enqueue, {"x": float("nan")})
    await ctx.call("infinity", pgqrs.produce, store, "q", float("inf"))
    await ctx.call("bytes", producer.enqueue, b"abc")
    await ctx.call("tuple", producer.enqueue, (1, 2))
    await ctx.call("non-string key", producer.enqueue, {1: "a"})
    await ctx.call("batch with one bad", pgqrs.produce_batch, store, "q", [{"a": 1}, {"b": object()}])
    consumer = ctx.name(await store.consumer("q"), "consumer")
    ctx.obs("what got in", [m.payload for m in await consumer.dequeue(batch_size=20)])


@scenario
async def unknown_queue(ctx: Ctx) -> None:
    store = await ctx.store()
    await ctx.call("producer", store.producer, "missing")
    await ctx.call("consumer", store.consumer, "missing")
    await ctx.call("produce", pgqrs.produce, store, "missing", {"a": 1})
    await ctx.call("produce_batch", pgqrs.produce_batch, store, "missing", [{"a": 1}])
    await ctx.call("delete_queue", pgqrs.admin(store).delete_queue, "missing")


@scenario
async def connect_errors(ctx: Ctx) -> None:
    await ctx.call("unsupported scheme", pgqrs.connect, "mysql://localhost/db")
    await ctx.call("not a dsn", pgqrs.connect, "hello")
    await ctx.call("empty", pgqrs.connect, "")
    # (Not an unreachable host: the original waits 30 s for its pool whatever connection_timeout_seconds says.)
    cfg = pgqrs.Config(ctx.dsn.rsplit("/", 1)[0] + "/pgqrs_compat_no_such_database")
    await ctx.call("database that does not exist", pgqrs.connect_with, cfg)
    ctx.sync("Config with a bad DSN", pgqrs.Config, "mysql://x")
    # The original's wheel has no SQLite backend (see the allow-list); ours opens the file.
    path = os.path.join(ctx.tmp, "compat.db")
    open(path, "w").close()
    store = await ctx.call("sqlite file", pgqrs.connect, f"sqlite://{path}")
    ctx.obs("sqlite store type", type(store).__name__ if store is not None else None)
    await ctx.call("connect_with a str", pgqrs.connect_with, "postgresql://x")


@scenario
async def admin_ops(ctx: Ctx) -> None:
    cfg = ctx.config()
    store = await pgqrs.connect_with(cfg)
    admin = pgqrs.admin(store)
    ctx.obs("admin type", type(admin).__name__)
    ctx.obs("Admin(store) type", type(pgqrs.Admin(store)).__name__)
    await ctx.call("produce before install", pgqrs.produce, store, "q", {"a": 1})
    await ctx.call("install", admin.install)
    await ctx.call("install again", admin.install)
    await ctx.call("bootstrap", store.bootstrap)
    await ctx.call("verify", admin.verify)
    await store.queue("empty")
    await store.queue("used")
    await ctx.call("delete_queue empty", admin.delete_queue, "empty")
    await ctx.call("delete_queue again", admin.delete_queue, "empty")
    await ctx.call("queue after delete", store.queue, "empty")
    await pgqrs.produce(store, "used", {"a": 1})
    await ctx.call("delete_queue with a message", admin.delete_queue, "used")


@scenario
async def config_properties(ctx: Ctx) -> None:
    cfg = pgqrs.Config("postgresql://u@localhost/db")
    props = ["dsn", "schema", "max_connections", "connection_timeout_seconds", "default_lock_time_seconds",
             "default_max_batch_size", "max_read_ct", "heartbeat_interval_seconds", "max_payload_size_bytes",
             "max_string_length", "max_object_depth", "forbidden_keys", "required_keys",
             "max_enqueue_per_second", "max_enqueue_burst"]
    for p in props:
        ctx.sync(f"default {p}", getattr, cfg, p)
    ctx.sync("from_dsn schema", lambda: pgqrs.Config.from_dsn("postgresql://u@localhost/db").schema)
    ctx.sync("kwargs", lambda: [(c.schema, c.max_connections) for c in
                                [pgqrs.Config("postgresql://u@localhost/db", schema="s1", max_connections=3)]])
    ctx.sync("positional", lambda: pgqrs.Config("postgresql://u@localhost/db", "s2", 4).schema)
    new_values = {"schema": "other", "max_connections": 7, "connection_timeout_seconds": 9,
                  "default_lock_time_seconds": 11, "default_max_batch_size": 13, "max_read_ct": 15,
                  "heartbeat_interval_seconds": 17, "max_payload_size_bytes": 1000, "max_string_length": 19,
                  "max_object_depth": 3, "forbidden_keys": ["a", "b"], "required_keys": ["c"],
                  "max_enqueue_per_second": 21, "max_enqueue_burst": 23}
    for p, v in new_values.items():
        ctx.sync(f"set {p}", setattr, cfg, p, v)
        ctx.sync(f"get {p}", getattr, cfg, p)
    ctx.sync("set rate None", setattr, cfg, "max_enqueue_per_second", None)
    ctx.sync("get rate None", getattr, cfg, "max_enqueue_per_second")
    ctx.sync("set dsn (read-only)", lambda: setattr(cfg, "dsn", "postgresql://other") or "set")
    ctx.sync("set max_connections to a str", setattr, cfg, "max_connections", "7")
    ctx.sync("set max_connections negative", setattr, cfg, "max_connections", -1)
    ctx.sync("set forbidden_keys to a str", setattr, cfg, "forbidden_keys", 5)
    ctx.sync("Config without dsn", pgqrs.Config)
    ctx.sync("unknown attribute", getattr, cfg, "no_such_setting")


@scenario
async def exception_classes(ctx: Ctx) -> None:
    names = ["PgqrsError", "PgqrsConnectionError", "QueueNotFoundError", "WorkerNotFoundError",
             "QueueAlreadyExistsError", "MessageNotFoundError", "SerializationError", "ConfigError",
             "RateLimitedError", "ValidationError", "TimeoutError", "InternalError", "StateTransitionError",
             "TransientStepError", "RetriesExhaustedError", "StepNotReadyError", "PausedError"]
    for n in names:
        cls = getattr(pgqrs, n, None)
        ctx.obs(n, None if cls is None else [b.__name__ for b in cls.__mro__[1:]])
    ctx.obs("raise and catch", norm(pgqrs.ValidationError("boom")))
    ctx.obs("direct Producer()", norm(catch(pgqrs.Producer)))
    ctx.obs("direct Consumer()", norm(catch(pgqrs.Consumer)))


# ---------------------------------------------------------------------------------------------- workflows


def raised(e: BaseException) -> Any:
    """An exception by class only, for texts that embed a time (StepNotReadyError)."""
    return {"raises": type(e).__name__}


async def workflow_store(ctx: Ctx, name: str):
    store = await ctx.store(max_enqueue_per_second=None, max_enqueue_burst=None)
    await ctx.call("create", pgqrs.workflow().name(name).store(store).create)
    return store


@scenario
async def workflow_definitions_and_runs(ctx: Ctx) -> None:
    store = await workflow_store(ctx, "wf")
    await ctx.call("create again", pgqrs.workflow().name("wf").store(store).create)
    ctx.obs("trigger builder without a store", type(pgqrs.workflow().name("x").trigger(1)).__name__)
    await ctx.call("trigger without a store", pgqrs.workflow().name("x").trigger(1).execute)
    msg = await ctx.call("trigger", pgqrs.workflow().name("wf").store(store).trigger({"x": 1}).execute)
    rb = pgqrs.run().message(msg).store(store)
    await ctx.call("get before the run exists", rb.get)
    run = await rb.execute()
    ctx.obs("run id", run.id())
    ctx.obs("run input", run.input)
    ctx.obs("run current_time", run.current_time)
    await ctx.call("start", run.start)
    await ctx.call("start again", run.start)
    await ctx.call("get while running", rb.get)
    await ctx.call("success", run.success, {"done": True})
    await ctx.call("get", rb.get)
    await ctx.call("result", rb.result)
    await ctx.call("start after success", run.start)
    ctx.obs("runs", await (await store.get_workflow_runs()).list())
    ctx.obs("workflow by name", await (await store.get_workflows()).get_by_name("wf"))

    msg2 = await pgqrs.workflow().name("wf").store(store).trigger(2).execute()
    run2 = await pgqrs.run().message(msg2).store(store).execute()
    await run2.start()
    await ctx.call("fail", run2.fail, "payment declined")
    await ctx.call("get of a failed run", pgqrs.run().message(msg2).store(store).get)
    await ctx.call("start after fail", run2.start)

    msg3 = await pgqrs.workflow().name("wf").store(store).trigger(3).execute()
    run3 = await pgqrs.run().message(msg3).store(store).execute()
    await ctx.call("pause", run3.pause, "waiting for approval", 30)
    ctx.obs("paused", (await run3.refresh()).id())
    await ctx.call("create_workflow without an arg", pgqrs.admin(store).create_workflow, "wf2")
    await ctx.call("trigger unknown workflow", pgqrs.workflow().name("nope").store(store).trigger(1).execute)
    # (Run.cancel() is newer than 0.15.3: not compared here.)


@scenario
async def workflow_steps(ctx: Ctx) -> None:
    store = await ctx.store(max_enqueue_per_second=None, max_enqueue_burst=None)
    run = await ctx.call("create_workflow", pgqrs.admin(store).create_workflow, "wf", {"x": 1})
    t = "2026-01-01T00:00:00+00:00"
    res = await ctx.call("acquire", run.acquire_step, "fetch", current_time=t)
    await ctx.call("success", res.guard.success, [1, 2])
    await ctx.call("acquire done", run.acquire_step, "fetch", current_time=t)
    res = await run.acquire_step("read", current_time=t)
    await ctx.call("fail", res.guard.fail, "File not found")
    await ctx.call("acquire failed", run.acquire_step, "read", current_time=t)
    res = await run.acquire_step("net", current_time=t)
    await ctx.call("fail_transient", res.guard.fail_transient, "NET", "connection reset", 5)
    try:
        await run.acquire_step("net", current_time=t)
        ctx.obs("acquire before the retry", "no error")
    except Exception as e:
        ctx.obs("acquire before the retry", raised(e))
    await ctx.call("acquire after the retry", run.acquire_step, "net", current_time="2026-01-01T00:00:06+00:00")
    for bad in (-1.0, float("nan")):
        res = await run.acquire_step(f"bad{bad}", current_time=t)
        await ctx.call(f"fail_transient retry_after={bad}", res.guard.fail_transient, "X", "m", bad)
    await ctx.call("complete_step", run.complete_step, "direct", {"v": 1})
    await ctx.call("acquire completed", run.acquire_step, "direct")
    await ctx.call("step builder without a run", pgqrs.step().name("a").execute)
    steps = await (await store.get_workflow_steps()).list()
    ctx.obs("steps", sorted(steps, key=lambda s: s.id))
    ctx.obs("step retry_at set", [s.retry_at is not None for s in sorted(steps, key=lambda s: s.id)])


@scenario
async def decorated_workflow(ctx: Ctx) -> None:
    from pgqrs.decorators import step, workflow

    calls: list[str] = []

    @step
    async def double(c, x):
        calls.append("double")
        return x * 2

    @step
    async def boom(c):
        raise KeyError("nope")

    @workflow(name="wf")
    async def flow(c, inp):
        return {"y": await double(c, inp["x"])}

    @workflow(name="bad")
    async def bad(c, inp):
        await boom(c)

    ctx.obs("WorkflowDef", [type(flow).__name__, flow.name])
    ctx.obs("bad name type", catch(lambda: workflow(name=3)))
    ctx.obs("empty name", catch(lambda: workflow(name="")))
    store = await ctx.store(max_enqueue_per_second=None, max_enqueue_burst=None)
    run = await pgqrs.admin(store).create_workflow("wf", {"x": 21})
    await ctx.call("run it", flow, run)
    await ctx.call("run it again", flow, run)
    ctx.obs("step executions", calls)
    ctx.obs("run", (await (await store.get_workflow_runs()).list())[0])
    run = await pgqrs.admin(store).create_workflow("bad", {"x": 1})
    await ctx.call("a failing workflow", bad, run)
    ctx.obs("failed run", next(r for r in await (await store.get_workflow_runs()).list() if r.id == run.id()))


@scenario
async def workflow_worker(ctx: Ctx) -> None:
    from pgqrs.decorators import step, workflow

    @step
    async def add(c, x):
        return x + 1

    @workflow(name="wf")
    async def flow(c, inp):
        return await add(c, inp["x"])

    store = await workflow_store(ctx, "wf")
    consumer = ctx.name(await store.consumer("wf"), "worker")
    task = asyncio.ensure_future(pgqrs.dequeue().worker(consumer).poll_interval(50).handle_workflow(flow).poll(store))
    msgs = [await pgqrs.workflow().name("wf").store(store).trigger({"x": i}).execute() for i in range(3)]
    for i, m in enumerate(msgs):
        ctx.obs(f"result {i}", await asyncio.wait_for(pgqrs.run().message(m).store(store).result(), 60))
    for _ in range(100):
        if await consumer.status() == pgqrs.WorkerStatus.Polling:
            break
        await asyncio.sleep(0.05)
    ctx.obs("worker status while polling", await consumer.status())
    await ctx.call("interrupt", consumer.interrupt)
    try:
        await asyncio.wait_for(task, 30)
        ctx.obs("loop end", "returned")
    except Exception as e:
        ctx.obs("loop end", e)
    ctx.obs("worker status after", await consumer.status())


def catch(fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except Exception as e:
        return e


# ---------------------------------------------------------------------------------------------- runner


async def run(dsn: str, tag: str, names: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in names:
        ctx = Ctx(dsn, tag)
        try:
            await SCENARIOS[name](ctx)
        except Exception as e:  # a scenario that breaks down is reported, and the others still run
            ctx.observations.append(["<scenario stopped>", norm(e)])
        finally:
            try:
                ctx.close()
            except Exception as e:
                ctx.observations.append(["<cleanup failed>", norm(e)])
        out[name] = ctx.observations
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dsn")
    ap.add_argument("--tag", default="run", help="part of the schema names (the two runs share a server)")
    ap.add_argument("--only", nargs="*", default=None)
    ap.add_argument("--list", action="store_true")
    args = ap.parse_args()
    if args.list:
        print(json.dumps(sorted(SCENARIOS)))
    else:
        if not args.dsn:
            ap.error("--dsn is required")
        names = args.only or list(SCENARIOS)
        result = asyncio.run(run(args.dsn, args.tag, names))
        print(json.dumps({"pgqrs": os.path.dirname(pgqrs.__file__), "scenarios": result}))
    sys.stdout.flush()
    # pgqrs 0.15.3 crashes during interpreter shutdown about half the time (its runtime threads race Python's
    # finalization); the output is complete, so skip finalization for both implementations alike.
    os._exit(0)


if __name__ == "__main__":
    main()
