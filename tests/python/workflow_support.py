"""Helpers of the workflow tests: unique workflow names and a worker that executes every ready run once."""

from __future__ import annotations

import uuid

import pgqrs


def wf_name() -> str:
    return f"wf_{uuid.uuid4().hex[:10]}"


async def drain_workflow(store, name: str, wf, at: str | None = None) -> int:
    """Executes ready runs of workflow `name` with `wf` until none is ready; returns how many were executed."""
    consumer = await store.consumer(name)
    builder = pgqrs.dequeue().worker(consumer).handle_workflow(wf)
    if at is not None:
        builder.at(at)
    n = 0
    while await builder.execute(store):
        n += 1
    return n
