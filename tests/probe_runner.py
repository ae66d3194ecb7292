"""Run an example's ``main()`` beside a heartbeat task and record how long the event loop was blocked.

    python tests/probe_runner.py EXAMPLE.py RESULT.json

The example's own output goes to stdout as usual; the measurement is written to RESULT.json:
``{"max_lag": seconds, "elapsed": seconds, "beats": n}``. The heartbeat asks to wake every 5 ms; the
lag is how much later than asked it woke, so it is the longest stretch the loop could not run tasks.
"""

from __future__ import annotations

import asyncio
import json
import runpy
import sys
import time

INTERVAL = 0.005


async def _heartbeat(state: dict[str, float]) -> None:
    while True:
        before = time.perf_counter()
        await asyncio.sleep(INTERVAL)
        lag = time.perf_counter() - before - INTERVAL
        state["beats"] += 1
        if lag > state["max_lag"]:
            state["max_lag"] = lag


async def _run(main: object) -> dict[str, float]:
    state = {"max_lag": 0.0, "beats": 0.0}
    beat = asyncio.create_task(_heartbeat(state))
    await asyncio.sleep(0.02)  # the heartbeat is running before the example starts
    state["max_lag"] = 0.0
    start = time.perf_counter()
    await main()  # type: ignore[operator]
    state["elapsed"] = time.perf_counter() - start
    await asyncio.sleep(2 * INTERVAL)  # a blocked loop's last lag is measured when the heartbeat wakes
    beat.cancel()
    return state


def main() -> None:
    example, result = sys.argv[1], sys.argv[2]
    namespace = runpy.run_path(example, run_name="__probe__")
    state = asyncio.run(_run(namespace["main"]))
    with open(result, "w", encoding="utf-8") as out:
        json.dump(state, out)


if __name__ == "__main__":
    main()
