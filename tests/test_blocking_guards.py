"""APF205/206/208/303 decisions that a single fixture file cannot show: file names and shared lookups."""

from __future__ import annotations

import ast
import textwrap

from flake8_async_pitfalls.checker import check_tree


def codes(source: str, filename: str = "app.py") -> list[tuple[int, str]]:
    source = textwrap.dedent(source)
    findings = check_tree(ast.parse(source), filename, source.splitlines(keepends=True))
    return [(f.line, f.code) for f in findings]


HASHING = """
    import zlib

    async def test_roundtrip(payload):
        return zlib.compress(payload)

    async def compress_body(payload):
        return zlib.compress(payload)
"""


def test_cpu_heavy_call_is_not_reported_in_pytest_test_functions() -> None:
    assert codes(HASHING, "tests/test_codec.py") == [(8, "APF303")]
    assert codes(HASHING, "tests/codec_test.py") == [(8, "APF303")]


def test_cpu_heavy_call_in_a_test_named_function_outside_test_files_is_reported() -> None:
    assert codes(HASHING, "app/codec.py") == [(5, "APF303"), (8, "APF303")]


def test_nested_function_of_a_test_counts_as_the_test() -> None:
    source = """
        import zlib

        def test_server():
            async def handler(body):
                return zlib.decompress(body)
            return handler
    """
    assert codes(source, "test_server.py") == []


def test_exempt_calls_are_not_taken_up_by_the_configured_patterns() -> None:
    """A listed call its arguments make harmless is not reported under any code."""
    from flake8_async_pitfalls.settings import Settings

    source = textwrap.dedent("""
        import threading

        async def poll(lock: threading.Lock):
            return lock.acquire(blocking=False)
    """)
    settings = Settings(blocking_calls=("threading.*",))
    findings = check_tree(ast.parse(source), "app.py", source.splitlines(keepends=True), settings)
    assert findings == []


def test_chained_database_calls_are_reported_once() -> None:
    source = """
        import sqlite3

        async def load(path):
            return sqlite3.connect(path).execute("SELECT 1").fetchall()
    """
    assert codes(source) == [(5, "APF208")]
