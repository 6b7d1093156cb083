"""Helpers of the workflow tests: unique workflow names and a worker that executes every ready run once."""

from __future__ import annotations

import uuid

from pgqrs import _workflow


def wf_name() -> str:
    return f"wf_{uuid.uuid4().hex[:10]}"


async def drain_workflow(store, name: str, wf, at: str | None = None) -> int:
    """Executes ready runs of workflow `name` with `wf` until none is ready; returns how many were executed."""
    consumer = await store.consumer(name)
    n = 0
    while await _workflow._execute_one(store, name, consumer, wf, at):
        n += 1
    return n
