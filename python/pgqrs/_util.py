"""Shared by the package's modules: JSON text of payloads, running a native call off the event loop, and the
base class of the objects around native handles."""

from __future__ import annotations

import asyncio
import json
import socket
import uuid
from typing import Any


def _dumps(payload: Any) -> str:
    return json.dumps(payload, allow_nan=False, separators=(",", ":"))


async def _call(fn, *args):
    """Runs one blocking native call off the event loop (see the module docstring)."""
    return await asyncio.get_running_loop().run_in_executor(None, fn, *args)


def _worker_name() -> str:
    # The original names the workers that store.producer()/store.consumer() register "<hostname>-<uuid4>".
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
