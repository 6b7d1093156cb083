"""The S3 backend from Python (spec §8.6): pgqrs.as_s3(store) with snapshot/sync/state, DurabilityMode and
SyncState, Config.s3_mode and s3_cache_dir, against the moto S3 server scripts/test.sh starts
(PGQRS_S3_ENDPOINT and the AWS_* variables)."""

from __future__ import annotations

import pytest

import pgqrs

from conftest import new_bucket, s3_endpoint


@pytest.fixture
def dsn() -> str:
    s3_endpoint()
    return f"s3://{new_bucket()}/queue.sqlite"


def s3_config(dsn: str, cache, mode=None) -> pgqrs.Config:
    cfg = pgqrs.Config(dsn)
    cfg.s3_cache_dir = str(cache)
    if mode is not None:
        cfg.s3_mode = mode
    return cfg


async def test_install_uploads_and_the_handle_reports_in_sync(dsn, tmp_path):
    store = await pgqrs.connect_with(s3_config(dsn, tmp_path / "a"))
    await pgqrs.admin(store).install()
    s3 = pgqrs.as_s3(store)
    assert s3.mode == pgqrs.DurabilityMode.Durable
    assert await s3.state() == pgqrs.SyncState.InSync
    assert s3.uploads() >= 1
    assert repr(pgqrs.SyncState.InSync) == "SyncState.InSync"


async def test_durable_writes_are_visible_to_a_store_with_another_cache(dsn, tmp_path):
    a = await pgqrs.connect_with(s3_config(dsn, tmp_path / "a"))
    await pgqrs.admin(a).install()
    await a.queue("jobs")
    msg_id = await pgqrs.produce(a, "jobs", {"n": 1})
    b = await pgqrs.connect_with(s3_config(dsn, tmp_path / "b"))
    msg = await (await b.consumer("jobs")).dequeue()
    assert [m.id for m in msg] == [msg_id]


async def test_local_mode_changes_until_sync_and_a_snapshot_elsewhere_sees_them(dsn, tmp_path):
    a = await pgqrs.connect_with(s3_config(dsn, tmp_path / "a", pgqrs.DurabilityMode.Local))
    await pgqrs.admin(a).install()
    s3 = pgqrs.as_s3(a)
    assert s3.mode == pgqrs.DurabilityMode.Local
    assert await s3.state() == pgqrs.SyncState.RemoteMissingDirty
    await s3.sync()
    assert await s3.state() == pgqrs.SyncState.InSync
    await a.queue("jobs")
    await pgqrs.produce(a, "jobs", {"n": 1})
    assert await s3.state() == pgqrs.SyncState.LocalChanges
    with pytest.raises(pgqrs.PgqrsError, match="(?i)conflict"):
        await s3.snapshot()  # refuses to throw local writes away
    await s3.sync()

    b = await pgqrs.connect_with(s3_config(dsn, tmp_path / "b", pgqrs.DurabilityMode.Local))
    hb = pgqrs.as_s3(b)
    await hb.snapshot()
    assert await hb.state() == pgqrs.SyncState.InSync
    assert [q.queue_name for q in await (await b.get_queues()).list()] == ["jobs"]


async def test_a_replacement_writer_cannot_overwrite_the_remote_object(dsn, tmp_path):
    a = await pgqrs.connect_with(s3_config(dsn, tmp_path / "a"))
    await pgqrs.admin(a).install()
    stale = await pgqrs.connect_with(s3_config(dsn, tmp_path / "b", pgqrs.DurabilityMode.Local))
    await pgqrs.admin(stale).install()  # a fresh local database, not based on the remote one
    with pytest.raises(pgqrs.PgqrsError, match="(?i)conflict"):
        await pgqrs.as_s3(stale).sync()
    assert await pgqrs.as_s3(a).state() == pgqrs.SyncState.InSync


async def test_as_s3_of_another_backend_is_a_type_error(tmp_path):
    store = await pgqrs.connect(f"sqlite://{tmp_path / 'x.db'}")
    with pytest.raises(TypeError, match="store backend is 'sqlite', expected 's3'"):
        pgqrs.as_s3(store)
    with pytest.raises(TypeError):
        pgqrs.as_s3(object())


def test_config_s3_properties():
    cfg = pgqrs.Config("s3://bucket/key.sqlite")
    assert cfg.s3_mode == pgqrs.DurabilityMode.Durable
    assert cfg.s3_cache_dir is None
    cfg.s3_mode = pgqrs.DurabilityMode.Local
    assert cfg.s3_mode == pgqrs.DurabilityMode.Local
    cfg.s3_cache_dir = "/tmp/pgqrs-cache"
    assert cfg.s3_cache_dir == "/tmp/pgqrs-cache"
    with pytest.raises(pgqrs.ConfigError, match="cache dir cannot be empty"):
        cfg.s3_cache_dir = "  "
    with pytest.raises(TypeError):
        cfg.s3_mode = "local"


async def test_connect_without_a_cache_dir_uses_a_default(dsn, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    store = await pgqrs.connect(dsn)  # the original refuses this without s3_cache_dir
    await pgqrs.admin(store).install()
    assert await pgqrs.as_s3(store).state() == pgqrs.SyncState.InSync


async def test_errors_never_show_the_secret_key(dsn, tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "py-secret-must-not-leak")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens there
    with pytest.raises(pgqrs.PgqrsError) as info:
        store = await pgqrs.connect_with(s3_config(dsn, tmp_path / "down"))
        await pgqrs.admin(store).install()
    assert "py-secret-must-not-leak" not in str(info.value)
