# The Python quickstart (docs/python.md; scripts/demo.sh runs it): an embedded SQLite queue, no server.
#   python examples/quickstart.py [DSN]     (default: sqlite:///tmp/pgqrs-quickstart-py.db)
import asyncio
import sys

import pgqrs


async def main(dsn: str) -> None:
    store = await pgqrs.connect(dsn)
    await pgqrs.admin(store).install()  # idempotent
    try:
        await store.queue("emails")
    except pgqrs.QueueAlreadyExistsError:
        pass

    producer = await store.producer("emails")
    for i in range(1, 4):
        msg_id = await producer.enqueue({"to": f"user{i}@example.com", "subject": "Welcome"})
        print(f"enqueued  message {msg_id}")

    consumer = await store.consumer("emails")
    while messages := await consumer.dequeue(10):  # leased for 30 s
        for m in messages:
            print(f"processed message {m.id} (delivery #{m.read_ct}) -> {m.payload['to']}")
            await consumer.archive(m.id)


asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "sqlite:///tmp/pgqrs-quickstart-py.db"))
