"""The S3 backend's handle (spec §8.6): ``pgqrs.as_s3(store)`` on a store opened on ``s3://bucket/key``, with
``snapshot()``, ``sync()`` and ``state()`` as awaitables, and the enums ``DurabilityMode`` and ``SyncState``."""

from __future__ import annotations

from . import _pgqrs
from ._enums import _SimpleEnum
from ._util import _call, _NativeHandle


class DurabilityMode(_SimpleEnum):
    """Durable: every write is uploaded before it returns; Local: writes stay local until ``sync()``."""

    __slots__ = ()
    _members = (("Durable", "durable"), ("Local", "local"))
    Durable: "DurabilityMode"
    Local: "DurabilityMode"


DurabilityMode._install()


class SyncState(_SimpleEnum):
    """How the local copy relates to the remote object (``await handle.state()``)."""

    __slots__ = ()
    _members = tuple((name, name) for name in ("LocalMissing", "RemoteMissingClean", "RemoteMissingDirty", "InSync",
                                               "LocalChanges", "RemoteChanges", "ConcurrentChanges"))
    LocalMissing: "SyncState"
    RemoteMissingClean: "SyncState"
    RemoteMissingDirty: "SyncState"
    InSync: "SyncState"
    LocalChanges: "SyncState"
    RemoteChanges: "SyncState"
    ConcurrentChanges: "SyncState"


SyncState._install()


class S3StoreHandle(_NativeHandle):
    """The S3 operations of one store; conflicts raise PgqrsError ("Conflict: ...")."""

    __slots__ = ()
    _how = "pgqrs.as_s3(store)"

    async def snapshot(self) -> None:
        """Downloads the remote revision if it differs from the local copy's."""
        await _call(self._h.snapshot)

    async def sync(self) -> None:
        """Uploads local writes (no-op when there are none) with an ETag compare-and-swap."""
        await _call(self._h.sync)

    async def state(self) -> SyncState:
        """Compares the local copy with the remote object (one HEAD request)."""
        return SyncState._from_native(await _call(self._h.state))

    @property
    def mode(self) -> DurabilityMode:
        return DurabilityMode._from_native(self._h.mode)

    def uploads(self) -> int:
        """Successful uploads (PUTs) of this store: with group commit, fewer than the writes it acknowledged."""
        return self._h.uploads()

    def lost_races(self) -> int:
        """Uploads that lost the compare-and-swap to another store (and were retried on the winner's revision)."""
        return self._h.lost_races()


def as_s3(store) -> S3StoreHandle:
    """The S3 operations of ``store``. Raises TypeError for a store of another backend."""
    native = getattr(store, "_h", None)
    if native is None:
        raise TypeError(f"as_s3() expects a pgqrs.Store, got {type(store).__name__}")
    return S3StoreHandle._wrap(_pgqrs.as_s3(native))
