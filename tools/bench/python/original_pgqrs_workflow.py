"""Runs a 3-step durable workflow with the ORIGINAL pgqrs (PyPI pgqrs==0.15.3) through its Python API, for
pgqrs-bench. Runs in its own virtualenv (scripts/bench.sh makes it) so it never imports our package;
ours_pgqrs_workflow.py runs this same file under our package's venv.

    python original_pgqrs_workflow.py --dsn DSN --schema SCHEMA --phase setup --runs N
        installs into SCHEMA (must exist, empty), creates workflow "wf3" and triggers N runs (payload
        {"input": {"x": i}}, exactly what trigger() enqueues, in batches). Exits: its connections close.
    python original_pgqrs_workflow.py --dsn DSN --schema SCHEMA --phase run --runs N --workers W
        W consumers, each in the original's own loop (dequeue().worker(c).handle_workflow(wf).poll(store),
        the @workflow/@step decorators), until N runs are archived; prints one JSON object.
    python original_pgqrs_workflow.py --dsn DSN --schema SCHEMA --phase idle --seconds S --workers W
        the same loops on an empty queue for S seconds (what idle polling costs).
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
from pgqrs.decorators import step, workflow

NAME = "wf3"
finished = [0]


@step
async def a(ctx, x):
    return x + 1


@step
async def b(ctx, v):
    return v * 10


@step
async def c(ctx, v):
    return str(v)


@workflow(name=NAME)
async def wf3(ctx, inp):
    va = await a(ctx, inp["x"])
    vb = await b(ctx, va)
    vc = await c(ctx, vb)
    finished[0] += 1
    return {"result": vc}


async def connect(args):
    cfg = pgqrs.Config(args.dsn, schema=args.schema)
    cfg.max_enqueue_per_second = None
    cfg.max_enqueue_burst = None
    return await pgqrs.connect_with(cfg)


async def setup(args):
    store = await connect(args)
    await pgqrs.admin(store).install()
    await pgqrs.workflow().name(NAME).store(store).create()
    chunk = 500
    for start in range(0, args.runs, chunk):
        n = min(chunk, args.runs - start)
        await pgqrs.produce_batch(store, NAME, [{"input": {"x": start + i}} for i in range(n)])
    # Statistics for the seeded backlog only, as in pgqrs-bench's own setup: the run and step tables are empty
    # here, and analysed empty they would make every cached plan scan them sequentially as they grow.
    tables = ("pgqrs_messages", "pgqrs_workflow_runs", "pgqrs_workflow_steps")
    bench_sql.execute(args.dsn, f'ANALYZE "{args.schema}".pgqrs_messages',
                      *[f'ALTER TABLE "{args.schema}".{t} SET (autovacuum_enabled = off)' for t in tables])
    print(json.dumps({"triggered": args.runs}), flush=True)


async def loops(args, store):
    tasks = []
    for _ in range(args.workers):
        consumer = await store.consumer(NAME)
        builder = pgqrs.dequeue().worker(consumer).poll_interval(args.poll_ms).handle_workflow(wf3)
        tasks.append(asyncio.ensure_future(builder.poll(store)))
    return tasks


async def run(args):
    store = await connect(args)
    started = time.perf_counter()
    tasks = await loops(args, store)
    # Every run's function returned; its success and archive follow. Then check (few queries, reported) that
    # all N messages are archived: that is when the last run is really done.
    while finished[0] < args.runs:
        await asyncio.sleep(0.002)
        for t in tasks:
            if t.done() and t.exception() is not None:
                raise t.exception()
    # The original keeps archived messages in pgqrs_messages (archived_at set); ours moves them to
    # pgqrs_archive. Either way: no message left that is not archived.
    archived_in_place = bench_sql.query_int(
        args.dsn, "SELECT count(*) FROM information_schema.columns WHERE table_schema = "
                  f"'{args.schema}' AND table_name = 'pgqrs_messages' AND column_name = 'archived_at'")
    left_sql = f'SELECT count(*) FROM "{args.schema}".pgqrs_messages' + (
        " WHERE archived_at IS NULL" if archived_in_place else "")
    checks = 1
    while True:
        checks += 1
        left = bench_sql.query_int(args.dsn, left_sql)
        if left == 0:
            break
        await asyncio.sleep(0.002)
    elapsed = time.perf_counter() - started
    print(json.dumps({"runs": finished[0], "seconds": elapsed, "runs_per_sec": finished[0] / elapsed,
                      "monitor_queries": checks, "workers": args.workers,
                      "pgqrs_version": version("pgqrs")}), flush=True)


async def idle(args):
    store = await connect(args)
    await loops(args, store)
    await asyncio.sleep(args.seconds)
    print(json.dumps({"seconds": args.seconds, "workers": args.workers}), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dsn", required=True)
    ap.add_argument("--schema", required=True)
    ap.add_argument("--phase", choices=["setup", "run", "idle"], required=True)
    ap.add_argument("--runs", type=int, default=0)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--poll-ms", type=int, default=250)
    ap.add_argument("--seconds", type=float, default=2.0)
    args = ap.parse_args()
    asyncio.run({"setup": setup, "run": run, "idle": idle}[args.phase](args))


main()
# pgqrs 0.15.3 crashes during interpreter shutdown about half the time (its runtime threads race Python's
# finalization), and its poll loops never end on their own: the result is printed and flushed, so leave
# without finalization; the exit closes every connection.
sys.stdout.flush()
os._exit(0)
