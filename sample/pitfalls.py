"""A small link checker with the four foundation asyncio pitfalls in it, next to their correct versions.

Lint it:  flake8 --select APF sample/pitfalls.py

Each line that the linter must report carries its code in a comment (`# APF201`); each correct variant
says `# ok:` and must stay silent (tests/test_selflint.py checks both). This file is meant to be linted,
not run: `await` inside the plain def `summarize` is a SyntaxError (the APF401 pitfall).
"""

from __future__ import annotations

import asyncio
import time


async def check_link(url: str) -> tuple[str, int]:
    await asyncio.sleep(0.1)  # stands for an HTTP HEAD request
    return url, 200


async def log_event(message: str) -> None:
    await asyncio.sleep(0)  # stands for a write to a remote log
    print(message)


def link_fingerprint(count: int) -> int:
    # pure-Python CPU work in a plain def: fine, the caller runs it in a worker thread
    return sum(i * i % 7 for i in range(count))


def slow_backup(path: str) -> str:
    time.sleep(0.5)  # ok: blocking in a plain def, run with asyncio.to_thread below
    return path


# --- the pitfalls ----------------------------------------------------------------------------------------

async def crawl(urls: list[str]) -> list[tuple[str, int]]:
    log_event("crawl started")  # APF101 msg="coroutine log_event('crawl started') is never awaited"
    results = []
    for url in urls:
        results.append(await check_link(url))
        time.sleep(0.2)  # APF201 msg="use 'await asyncio.sleep(0.2)'"
    return results


async def fingerprint() -> int:
    squares = [i * i % 7 for i in range(5_000_000)]  # APF301
    return sum(squares)


def summarize(urls: list[str]) -> list[int]:
    return [(await check_link(url))[1] for url in urls]  # APF401 col=14 msg="plain def 'summarize'"


# --- the same work done right ------------------------------------------------------------------------------

async def crawl_politely(urls: list[str]) -> list[tuple[str, int]]:
    await log_event("crawl started")  # ok: the coroutine is awaited
    results = []
    for url in urls:
        results.append(await check_link(url))
        await asyncio.sleep(0.2)  # ok: suspends this task only
    return results


async def crawl_concurrently(urls: list[str]) -> list[tuple[str, int]]:
    return await asyncio.gather(*(check_link(url) for url in urls))  # ok: coroutines passed on to gather


async def fingerprint_in_thread() -> int:
    return await asyncio.to_thread(link_fingerprint, 5_000_000)  # ok: the CPU work runs off the event loop


async def backup() -> str:
    return await asyncio.to_thread(slow_backup, "links.db")  # ok: the blocking call runs in a thread


async def summarize_async(urls: list[str]) -> list[int]:
    return [(await check_link(url))[1] for url in urls]  # ok: await in a comprehension inside async def


def summarize_sync(urls: list[str]) -> list[tuple[str, int]]:
    return asyncio.run(crawl_politely(urls))  # ok: a sync entry point runs the coroutine with asyncio.run


async def main() -> None:
    urls = ["https://example.org/a", "https://example.org/b"]
    print(await crawl_concurrently(urls))  # ok: awaited
    print(await fingerprint_in_thread(), await backup())  # ok: awaited


if __name__ == "__main__":
    asyncio.run(main())  # ok: module-level entry point
