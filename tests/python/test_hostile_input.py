"""Hostile input from Python (issue 14): SQL-looking, unicode and oversized names, and payloads at and one past
every validation limit, on every backend. Each is refused with a ValidationError (or ValueError/TypeError for
what Python cannot hand over), or stored and read back unchanged; the schema survives."""

from __future__ import annotations

import pytest

import pgqrs

STORABLE = [
    "x'); DROP TABLE pgqrs_queues; --",
    '"; DELETE FROM pgqrs_messages; --',
    "a'b\"c`d\\e",
    "$1 $$ dollar $$ ?1 :name @p",
    "队列-émoji-🚀-\u202e-rtl",
    "tab\tnew\nline",
    "n" * 255,
]
REFUSED = ["", "x" * 256, "y" * 10 * 1024, "nul\0inside"]


async def expect_schema_intact(store) -> None:
    await pgqrs.admin(store).verify()
    assert await (await store.get_messages()).count() >= 0


async def test_queue_names_are_stored_verbatim_or_refused(store):
    for name in STORABLE:
        await store.queue(name)
    listed = {q.queue_name for q in await (await store.get_queues()).list()}
    assert listed == set(STORABLE)
    for name in REFUSED:
        with pytest.raises(pgqrs.ValidationError):
            await store.queue(name)
    await expect_schema_intact(store)


async def test_workflow_names_and_trigger_keys_are_stored_verbatim_or_refused(store):
    for name in STORABLE:
        rec = await pgqrs.workflow().name(name).store(store).create()
        assert rec.name == name
        first = await pgqrs.workflow().name(name).store(store).trigger({"n": 1}).key(name).execute()
        again = await pgqrs.workflow().name(name).store(store).trigger({"n": 2}).key(name).execute()
        assert again.id == first.id, "the same key finds the same run"
    for name in REFUSED:
        with pytest.raises((pgqrs.ValidationError, ValueError)):
            await pgqrs.workflow().name(name).store(store).create()
        with pytest.raises((pgqrs.ValidationError, ValueError)):
            await pgqrs.workflow().name(STORABLE[0]).store(store).trigger({"n": 1}).key(name).execute()
    await expect_schema_intact(store)


def payload_of_size(size: int) -> dict:
    """A payload whose compact JSON text is exactly ``size`` bytes: {"p":"xxx…"}."""
    return {"p": "x" * (size - len('{"p":""}'))}


def value_at_depth(depth: int):
    """A scalar at ``depth`` (the root is depth 0, each member one deeper)."""
    v: object = 1
    for _ in range(depth):
        v = {"a": v}
    return v


async def test_payloads_at_every_limit_are_accepted_and_one_past_it_refused(config):
    config.max_enqueue_per_second = None
    config.max_payload_size_bytes = 4096
    config.max_string_length = 5000
    store = await pgqrs.connect_with(config)
    await pgqrs.admin(store).install()
    await store.queue("q")
    producer = await store.producer("q")
    at_limit = await producer.enqueue(payload_of_size(4096))
    assert (await (await store.get_messages()).get(at_limit)).payload == payload_of_size(4096)
    with pytest.raises(pgqrs.ValidationError, match="exceeds limit 4096"):
        await producer.enqueue(payload_of_size(4097))

    config.max_payload_size_bytes = 1048576
    config.max_string_length = 1024
    store = await pgqrs.connect_with(config)
    producer = await store.producer("q")
    await producer.enqueue({"s": "s" * 1024})
    with pytest.raises(pgqrs.ValidationError):
        await producer.enqueue({"s": "s" * 1025})
    await producer.enqueue(value_at_depth(5))
    with pytest.raises(pgqrs.ValidationError, match="depth 6 exceeds limit 5"):
        await producer.enqueue(value_at_depth(6))
    with pytest.raises(pgqrs.ValidationError):
        await producer.enqueue({"constructor": 1})
    with pytest.raises(pgqrs.ValidationError):
        await producer.enqueue({"s": "a\0b"})
    with pytest.raises(ValueError):
        await producer.enqueue({"n": float("nan")})

    hostile = {"q": "'); DROP TABLE pgqrs_messages; --", "u": "🚀\u0001\u001f"}
    msg = await producer.enqueue(hostile)
    assert (await (await store.get_messages()).get(msg)).payload == hostile
    assert await (await store.get_messages()).count() == 4, "only the accepted payloads were stored"
    await expect_schema_intact(store)


async def test_passwords_never_appear_in_config_reprs_or_connection_errors():
    secret = "Sup3r-Secret-Pw"
    cfg = pgqrs.Config(f"postgresql://app:{secret}@127.0.0.1:1/db")
    assert secret not in repr(cfg) and secret not in str(cfg)
    with pytest.raises(pgqrs.PgqrsError) as err:
        await pgqrs.connect_with(cfg)
    assert secret not in str(err.value) and secret not in repr(err.value)
