"""Enums shaped like the original's (pyo3 simple enums), not ``enum.Enum``: members are class attributes,
compare with ``==``, hash, and print as ``WorkerStatus.Ready``; the class cannot be called."""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from typing import Dict, Iterator


class _SimpleEnum:
    """Base of the package's enums. A subclass lists its members in ``_members`` (Python name, native text);
    ``_install`` creates them once."""

    __slots__ = ("_name", "_index")
    _members: tuple = ()
    _by_native: Dict[str, "_SimpleEnum"]

    def __new__(cls, *args, **kwargs):
        raise TypeError(f"No constructor defined for {cls.__name__}")

    @classmethod
    def _install(cls) -> None:
        cls._by_native = {}
        for index, (name, native) in enumerate(cls._members):
            member = object.__new__(cls)
            member._name = name
            member._index = index
            setattr(cls, name, member)
            cls._by_native[native] = member

    @classmethod
    def _from_native(cls, text: str) -> "_SimpleEnum":
        return cls._by_native[text]

    @classmethod
    def _all(cls) -> Iterator["_SimpleEnum"]:
        return iter(cls._by_native.values())

    @property
    def name(self) -> str:
        return self._name

    def __eq__(self, other: object) -> bool:
        return self is other

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._index))

    def __int__(self) -> int:
        return self._index

    def __repr__(self) -> str:
        return f"{type(self).__name__}.{self._name}"

    __str__ = __repr__

    def __reduce__(self):
        return (getattr, (type(self), self._name))

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self


class WorkerStatus(_SimpleEnum):
    """Status of a worker (spec §4.2)."""

    __slots__ = ()
    _members = (("Ready", "ready"), ("Polling", "polling"), ("Suspended", "suspended"),
                ("Interrupted", "interrupted"), ("Stopped", "stopped"))
    Ready: "WorkerStatus"
    Polling: "WorkerStatus"
    Suspended: "WorkerStatus"
    Interrupted: "WorkerStatus"
    Stopped: "WorkerStatus"


WorkerStatus._install()


class WorkflowStatus(_SimpleEnum):
    """Status of a workflow run (every member) or step (Running, Success, Error), spec §7.1."""

    __slots__ = ()
    _members = (("Queued", "QUEUED"), ("Running", "RUNNING"), ("Paused", "PAUSED"), ("Cancelling", "CANCELLING"),
                ("Cancelled", "CANCELLED"), ("Success", "SUCCESS"), ("Error", "ERROR"))
    Queued: "WorkflowStatus"
    Running: "WorkflowStatus"
    Paused: "WorkflowStatus"
    Cancelling: "WorkflowStatus"
    Cancelled: "WorkflowStatus"
    Success: "WorkflowStatus"
    Error: "WorkflowStatus"


WorkflowStatus._install()


class StepResultStatus(_SimpleEnum):
    """What ``acquire_step`` decided: run the step now, or it ran before (its value is stored)."""

    __slots__ = ()
    _members = (("Execute", "EXECUTE"), ("Skipped", "SKIPPED"))
    Execute: "StepResultStatus"
    Skipped: "StepResultStatus"


StepResultStatus._install()
