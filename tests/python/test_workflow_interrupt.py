"""A workflow worker stopped with Ctrl-C (SIGINT) in the middle of a run: it exits with one line, not a
traceback storm, and the run it held is given back at once (not after its lease), then finished by the next
worker with its completed step not executed again."""

from __future__ import annotations

import asyncio
import os
import pathlib
import signal
import subprocess
import sys
import textwrap

import pgqrs

from conftest import FILE_BACKENDS, skip_if_single_process
from workflow_support import drain_workflow, wf_name

WORKER = textwrap.dedent('''
    import asyncio, pathlib, sys
    import pgqrs
    from pgqrs.decorators import step, workflow

    dsn, schema, name, marks = sys.argv[1], sys.argv[2], sys.argv[3], pathlib.Path(sys.argv[4])

    @step
    async def first(ctx):
        with marks.open("a") as f:
            f.write("first\\n")
        return 1

    @step
    async def slow(ctx, x):
        with marks.open("a") as f:
            f.write("slow\\n")
        await asyncio.sleep(3600)  # interrupted here

    @workflow(name=name)
    async def flow(ctx):
        return await slow(ctx, await first(ctx))

    async def main():
        cfg = pgqrs.Config(dsn) if schema == "-" else pgqrs.Config(dsn, schema=schema)
        store = await pgqrs.connect_with(cfg)
        consumer = await store.consumer(name)
        await pgqrs.dequeue().worker(consumer).handle_workflow(flow).poll(store)

    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        print("worker stopped")
''')


async def test_ctrl_c_stops_a_worker_cleanly_and_gives_its_run_back(store, config, backend, tmp_path):
    skip_if_single_process(backend)
    name = wf_name()
    await pgqrs.workflow().name(name).store(store).create()
    msg = await pgqrs.workflow().name(name).store(store).trigger(None).execute()
    marks = tmp_path / "marks"
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    schema = "-" if config.dsn.startswith(FILE_BACKENDS) else config.schema
    proc = subprocess.Popen([sys.executable, str(script), config.dsn, schema, name, str(marks)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        for _ in range(300):
            if marks.exists() and "slow" in marks.read_text():
                break
            await asyncio.sleep(0.1)
        assert marks.exists() and "slow" in marks.read_text(), proc.stderr.read() if proc.poll() is not None else ""
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "worker stopped" in out
    assert "Traceback" not in err, err

    # Given back at once: the next worker finishes it without waiting for the 30 s lease.
    done = []

    @pgqrs.decorators.step
    async def first(ctx):
        done.append("first")
        return 1

    @pgqrs.decorators.step
    async def slow(ctx, x):
        done.append("slow")
        return x + 1

    @pgqrs.decorators.workflow(name=name)
    async def flow(ctx):
        return await slow(ctx, await first(ctx))

    assert await drain_workflow(store, name, flow) == 1
    assert await pgqrs.run().message(msg).store(store).get() == 2
    assert done == ["slow"], "the completed step was not executed again"
    assert marks.read_text().count("first") == 1
