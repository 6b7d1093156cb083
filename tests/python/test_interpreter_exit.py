"""Leaving the interpreter while the package is busy (poll loops running, a workflow run in a step, handles
held in globals) exits cleanly, every time (the original crashes at interpreter exit about half the time)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent('''
    import asyncio, sys
    import pgqrs
    from pgqrs.decorators import step, workflow

    HELD = []  # native handles still referenced while the interpreter finalises

    @step
    async def forever(ctx):
        HELD.append(ctx)
        await asyncio.Event().wait()

    @workflow(name="wf")
    async def flow(ctx):
        await forever(ctx)

    async def main(dsn):
        store = await pgqrs.connect(dsn)
        await pgqrs.admin(store).install()
        await store.queue("q")
        await pgqrs.workflow().name("wf").store(store).create()
        await pgqrs.produce(store, "q", {"n": 1})
        await pgqrs.workflow().name("wf").store(store).trigger(None).execute()
        consumer = await store.consumer("q")
        worker = await store.consumer("wf")
        HELD.extend([store, consumer, worker])
        asyncio.ensure_future(pgqrs.dequeue().worker(consumer).handle(lambda m: asyncio.sleep(3600)).poll(store))
        asyncio.ensure_future(pgqrs.dequeue().worker(worker).handle_workflow(flow).poll(store))
        while len(HELD) < 4:
            await asyncio.sleep(0.01)
        print("busy", flush=True)
        sys.exit(0)  # leaves with both loops mid-handler

    asyncio.run(main(sys.argv[1]))
''')


def test_exit_while_busy_is_clean_every_time(tmp_path):
    script = tmp_path / "busy.py"
    script.write_text(SCRIPT)
    for i in range(8):
        db = tmp_path / f"exit{i}.db"
        out = subprocess.run([sys.executable, str(script), f"sqlite://{db}"], capture_output=True, text=True,
                             timeout=60)
        assert out.returncode == 0, (i, out.returncode, out.stderr)
        assert "busy" in out.stdout
        assert "Fatal" not in out.stderr and "Segmentation" not in out.stderr, out.stderr
