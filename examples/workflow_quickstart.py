# A durable workflow in Python (docs/python.md; scripts/demo.sh runs it): three decorated steps on an
# embedded SQLite file, a worker polling in the background, a trigger and its result.
#   python examples/workflow_quickstart.py [DSN]     (default: sqlite:///tmp/pgqrs-workflow-py.db)
import asyncio
import sys

import pgqrs
from pgqrs.decorators import step, workflow


@step
async def fetch_order(ctx: pgqrs.Run, order_id: int) -> dict:
    return {"id": order_id, "items": ["book", "pen"]}


@step
async def charge(ctx: pgqrs.Run, order: dict) -> str:
    return f"charged order {order['id']} for {len(order['items'])} items"


@step
async def notify(ctx: pgqrs.Run, receipt: str) -> str:
    return f"mailed: {receipt}"


@workflow(name="process_order")
async def process_order(ctx: pgqrs.Run, order_id: int) -> dict:
    # Each step's result is stored: after a crash the run resumes here and finished steps do not run again.
    order = await fetch_order(ctx, order_id)
    receipt = await charge(ctx, order)
    return {"receipt": receipt, "notice": await notify(ctx, receipt)}


async def main(dsn: str) -> None:
    store = await pgqrs.connect(dsn)
    await pgqrs.admin(store).install()
    await pgqrs.workflow().name("process_order").store(store).create(exist_ok=True)

    consumer = await store.consumer("process_order")
    worker = asyncio.create_task(pgqrs.dequeue().worker(consumer).handle_workflow(process_order).poll(store))

    message = await pgqrs.workflow().name("process_order").store(store).trigger(42).execute()
    result = await pgqrs.run().message(message).store(store).result(timeout=30)
    print(f"run of message {message.id}: {result}")

    await consumer.interrupt()  # the worker loop ends with "Operation suspended: worker interrupted"
    try:
        await worker
    except pgqrs.PgqrsError as e:
        print(f"worker stopped: {e}")


asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "sqlite:///tmp/pgqrs-workflow-py.db"))
