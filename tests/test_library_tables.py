"""The generated library tables: what they must contain, and that they are wired into the coroutine lookup."""

from __future__ import annotations

import ast

from flake8_async_pitfalls.checker import check_tree
from flake8_async_pitfalls.knowledge.coroutines import COROUTINE_FUNCTIONS, COROUTINE_METHODS
from flake8_async_pitfalls.knowledge.library_api import LIBRARY_COROUTINE_FUNCTIONS, LIBRARY_COROUTINE_METHODS


def test_each_required_library_is_covered() -> None:
    prefixes = ["aiohttp.ClientSession.", "aiohttp.ClientResponse.", "aiofiles.os.", "asyncpg.Connection.",
                "redis.asyncio.Redis.", "httpx.AsyncClient.", "motor.motor_asyncio.AsyncIOMotorCollection.",
                "discord.abc.Messageable."]
    names = LIBRARY_COROUTINE_METHODS | LIBRARY_COROUTINE_FUNCTIONS
    for prefix in prefixes:
        assert any(name.startswith(prefix) for name in names), prefix


def test_tables_hold_known_coroutines_and_no_sync_methods() -> None:
    for name in ("aiohttp.ClientResponse.json", "redis.asyncio.Redis.get", "httpx.AsyncClient.get",
                 "motor.motor_asyncio.AsyncIOMotorCollection.find_one", "discord.abc.Messageable.send",
                 "asyncpg.Connection.fetch"):
        assert name in LIBRARY_COROUTINE_METHODS
    for name in ("aiohttp.ClientResponse.raise_for_status", "httpx.AsyncClient.build_request",
                 "redis.asyncio.Redis.pipeline", "asyncpg.Connection.is_closed",
                 # a pipeline queues commands and returns itself: only execute() is awaited
                 "redis.asyncio.client.Pipeline.set", "redis.asyncio.client.Pipeline.get",
                 "redis.asyncio.client.Pipeline.execute_command"):
        assert name not in LIBRARY_COROUTINE_METHODS
    assert "asyncpg.connect" in LIBRARY_COROUTINE_FUNCTIONS


def test_tables_are_part_of_the_coroutine_lookup() -> None:
    assert LIBRARY_COROUTINE_METHODS <= COROUTINE_METHODS
    assert LIBRARY_COROUTINE_FUNCTIONS <= COROUTINE_FUNCTIONS
    source = (
        "import redis.asyncio as redis\n"
        "from motor.motor_asyncio import AsyncIOMotorClient\n\n"
        "async def main(r: redis.Redis):\n"
        "    r.set('k', 'v')\n"
        "    client = AsyncIOMotorClient()\n"
        "    r.pipeline()\n"
    )
    codes = [(f.line, f.code) for f in check_tree(ast.parse(source), "t.py", ())]
    assert codes == [(5, "APF101")]


def test_coroutine_rule_pages_render_the_tables() -> None:
    from pathlib import Path

    page = (Path(__file__).resolve().parent.parent / "docs" / "rules" / "APF101.md").read_text()
    assert "### Library coroutine functions it knows" in page
    for owner in ("`asyncio`", "`aiohttp.ClientSession`", "`redis.asyncio.Redis`",
                  "`motor.motor_asyncio.AsyncIOMotorCollection`", "`discord.abc.Messageable`"):
        assert owner in page, owner
