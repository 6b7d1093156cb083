"""Shared by the package's modules: JSON text of payloads, running a native call off the event loop, and the
base class of the objects around native handles.

Import time: ``import pgqrs`` must stay cheap (target 100 ms, whole package), so nothing here imports a
module at import time that the package does not need to define its names. asyncio alone costs more than the
extension (it pulls in ssl, socket, concurrent.futures, inspect, logging): it is imported when the first
call runs, by which time the caller's event loop has imported it anyway. The same goes for json, socket and
uuid. Modules of the package should do likewise (import inside the function, or call ``_call``), and keep
typing-only imports under ``if TYPE_CHECKING:``.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing; type checkers take it as True
if TYPE_CHECKING:
    from typing import Any, Callable

_encode: Callable[[Any], str] | None = None


class _LazyModule:
    """A module imported at its first attribute use (``asyncio = _lazy("asyncio")``): what the package's
    modules use of asyncio, inspect and json, so that importing the package does not import them."""

    __slots__ = ("_name", "_module")

    def __init__(self, name: str) -> None:
        self._name = name
        self._module = None

    def __getattr__(self, attr: str) -> Any:
        module = self._module
        if module is None:
            module = self._module = __import__(self._name)
        return getattr(module, attr)


def _lazy(name: str) -> Any:
    return _LazyModule(name)


def _dumps(payload: Any) -> str:
    """Compact JSON text of a payload, as ``json.dumps`` makes it (TypeError for what is not serialisable,
    ValueError for NaN and infinities). One encoder, made at the first call."""
    global _encode
    if _encode is None:
        import json

        _encode = json.JSONEncoder(allow_nan=False, separators=(",", ":")).encode
    return _encode(payload)


async def _call(fn, *args):
    """Runs one blocking native call off the event loop (see the package docstring)."""
    import asyncio

    return await asyncio.get_running_loop().run_in_executor(None, fn, *args)


def _worker_name() -> str:
    # The original names the workers that store.producer()/store.consumer() register "<hostname>-<uuid4>".
    import socket
    import uuid

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
