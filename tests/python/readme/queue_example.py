# The shape of the original README's Python queue example (connect, install, queue, enqueue, dequeue with
# batch_size=1, archive), with the DSN from the command line.
import asyncio
import sys

import pgqrs


async def main(dsn: str):
    store = await pgqrs.connect(dsn)

    admin = pgqrs.admin(store)
    await admin.install()
    await store.queue("tasks")

    producer = await store.producer("tasks")
    msg_id = await producer.enqueue({"task": "send_email", "to": "user@example.com"})
    print(f"Enqueued: {msg_id}")

    consumer = await store.consumer("tasks")
    messages = await consumer.dequeue(batch_size=1)
    for msg in messages:
        print(f"Processing: {msg.payload}")
        await consumer.archive(msg.id)


asyncio.run(main(sys.argv[1]))
