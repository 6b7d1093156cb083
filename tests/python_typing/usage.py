"""Type-checked, never run: code written against the package as a user would, which `mypy --strict` must
accept with the installed package (scripts/python_stubs.sh --check). It catches stubs that do not describe
the extension usefully and names the package does not export to type checkers (``__all__`` must be a
literal list). Extend it when the public API grows."""

from __future__ import annotations

import pgqrs


async def queue_round_trip(dsn: str) -> list[int]:
    cfg = pgqrs.Config(dsn, schema="app", max_connections=4)
    cfg.max_enqueue_per_second = None
    cfg.forbidden_keys = ["__proto__"]
    store: pgqrs.Store = await pgqrs.connect_with(cfg)
    await pgqrs.admin(store).install()
    info: pgqrs.QueueInfo = await store.queue("tasks")
    name: str = info.queue_name
    ids: list[int] = await pgqrs.produce_batch(store, name, [{"n": 1}, {"n": 2}])
    producer: pgqrs.Producer = await store.producer(name)
    ids.append(await pgqrs.enqueue(producer, {"n": 3}))
    consumer: pgqrs.Consumer = await store.consumer(name)
    done: list[int] = []
    for msg in await consumer.dequeue(batch_size=10):
        assert isinstance(msg, pgqrs.QueueMessage)
        if await consumer.archive(msg.id):
            done.append(msg.id)
    return done


def describe(e: Exception) -> str:
    if isinstance(e, pgqrs.QueueNotFoundError):
        return "no such queue: " + str(e)
    if isinstance(e, pgqrs.PgqrsError):
        return "pgqrs: " + str(e)
    return repr(e)
