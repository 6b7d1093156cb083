"""Drives the ORIGINAL pgqrs (PyPI pgqrs==0.15.3, Rust + PyO3) through its Python API, for pgqrs-bench.

Runs in its own virtualenv (scripts/bench.sh makes it) so it never imports our package; ours_pgqrs_drain.py
runs this same file under our package's venv. Usage:
    python original_pgqrs_drain.py --dsn DSN --schema SCHEMA --backlog N --batch B --max-messages M --max-seconds S
The schema must exist and be empty. Seeds N messages (~100-byte payloads), then one consumer dequeues B at a
time and archives them, until M messages or S seconds; prints one JSON object with the measured throughput.
"""

import argparse
import asyncio
import json
import os
import sys
import time
from importlib.metadata import version

import bench_sql
import pgqrs


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dsn", required=True)
    ap.add_argument("--schema", required=True)
    ap.add_argument("--backlog", type=int, required=True)
    ap.add_argument("--batch", type=int, required=True)
    ap.add_argument("--max-messages", type=int, required=True)
    ap.add_argument("--max-seconds", type=float, required=True)
    args = ap.parse_args()

    cfg = pgqrs.Config(args.dsn, schema=args.schema)
    cfg.max_enqueue_per_second = None
    cfg.max_enqueue_burst = None
    store = await pgqrs.connect_with(cfg)
    await pgqrs.admin(store).install()
    await store.queue("drain")

    pad = "x" * 70
    chunk = 1000
    for start in range(0, args.backlog, chunk):
        n = min(chunk, args.backlog - start)
        await pgqrs.produce_batch(store, "drain", [{"n": start + i, "kind": "bench", "pad": pad} for i in range(n)])

    # Planner statistics, as autoanalyze would have them in any real deployment (the C++ side ANALYZEs its own
    # tables after seeding too). Without them the planner misjudges the backlog and numbers vary run to run.
    bench_sql.execute(args.dsn, f'ANALYZE "{args.schema}".pgqrs_messages')

    consumer = await store.consumer("drain")
    done = 0
    started = time.perf_counter()
    while done < args.max_messages and time.perf_counter() - started < args.max_seconds:
        msgs = await consumer.dequeue(batch_size=args.batch)
        if not msgs:
            break
        if len(msgs) == 1:
            await consumer.archive(msgs[0].id)
        else:
            await consumer.archive_many([m.id for m in msgs])
        done += len(msgs)
    elapsed = time.perf_counter() - started
    print(json.dumps({"messages": done, "seconds": elapsed, "msgs_per_sec": done / elapsed if elapsed else 0.0,
                      "pgqrs_version": version("pgqrs")}), flush=True)


asyncio.run(main())
# pgqrs 0.15.3 crashes during interpreter shutdown about half the time (its background runtime threads race
# Python's finalization: "PyGILState_Release: thread state must be current" or SIGSEGV). The result is already
# printed and flushed; skip finalization so the exit status reflects the measurement, not that bug (for both
# packages alike).
sys.stdout.flush()
os._exit(0)
