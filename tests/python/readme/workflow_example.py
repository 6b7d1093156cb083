# The shape of the original README's Python workflow example: steps declared inside the workflow (closures
# over its input), create, a worker polling as a background task, trigger, result() without a timeout,
# interrupt, and the worker task awaited with `except Exception`. The DSN comes from the command line.
import asyncio
import sys

import pgqrs
from pgqrs.decorators import step as step_def
from pgqrs.decorators import workflow as workflow_def


@workflow_def(name="archive_files")
async def archive_files_wf(ctx, input_data: dict) -> dict:
    @step_def
    async def list_files(step_ctx):
        return [input_data["path"]]

    @step_def
    async def create_archive(step_ctx, files):
        return f"{files[0]}.zip"

    files = await list_files(ctx)
    archive_path = await create_archive(ctx, files)
    return {"archive": archive_path}


async def main(dsn: str):
    store = await pgqrs.connect(dsn)
    admin = pgqrs.admin(store)
    await admin.install()
    await pgqrs.workflow().name("archive_files").store(store).create()

    consumer = await store.consumer("archive_files")
    worker_task = asyncio.create_task(
        pgqrs.dequeue().worker(consumer).handle_workflow(archive_files_wf).poll(store)
    )

    message = await pgqrs.workflow().name("archive_files").store(store).trigger({"path": "/tmp/report.csv"}).execute()
    result = await pgqrs.run().message(message).store(store).result()
    print(f"Workflow result: {result}")

    await consumer.interrupt()
    try:
        await worker_task
    except Exception:
        pass


asyncio.run(main(sys.argv[1]))
