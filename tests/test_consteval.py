"""analysis/consteval.py: static iteration counts agree with what Python really does."""

from __future__ import annotations

import ast
import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from flake8_async_pitfalls.analysis.consteval import CAP, const_value, iteration_count, range_length, while_count
from flake8_async_pitfalls.checker import FileContext, _walk, default_dispatch
from flake8_async_pitfalls.settings import Settings

small = st.integers(min_value=-60, max_value=60)


@given(small, small, small.filter(bool))
def test_range_length_matches_len_range(start: int, stop: int, step: int) -> None:
    assert range_length(start, stop, step) == len(range(start, stop, step))


def test_range_length_past_sys_maxsize_is_clamped_not_an_error() -> None:
    assert range_length(-CAP, CAP, 1) == CAP
    assert range_length(CAP, -CAP, -3) == -(-2 * CAP // 3)


def _function(source: str) -> tuple[FileContext, ast.AsyncFunctionDef]:
    tree = ast.parse(source)
    ctx = FileContext(tree, "t.py", source.splitlines(True), Settings())
    ctx.queue = _walk(ctx, default_dispatch())
    function = next(n for n in ast.walk(tree) if isinstance(n, ast.AsyncFunctionDef))
    return ctx, function


def _count_of_first(source: str) -> int | None:
    ctx, function = _function(source)
    scope = ctx.module.scopes[function]
    loop = next(n for n in ast.walk(function) if isinstance(n, (ast.For, ast.While)))
    if isinstance(loop, ast.While):
        return while_count(loop, scope, ctx.module)
    return iteration_count(loop.iter, scope, ctx.module)


@settings(max_examples=60, deadline=None)
@given(small, small, st.integers(min_value=1, max_value=7), st.sampled_from(["<", "<=", ">", ">="]))
def test_while_count_matches_running_the_loop(start: int, bound: int, step: int, op: str) -> None:
    signed = step if op in ("<", "<=") else -step
    source = f"async def f():\n    i = {start}\n    while i {op} {bound}:\n        i += {signed}\n"
    i, runs = start, 0
    while (i < bound if op == "<" else i <= bound if op == "<=" else i > bound if op == ">" else i >= bound):
        i += signed
        runs += 1
    assert _count_of_first(source) == runs


def test_while_count_unknown_when_the_step_is_conditional_or_away_from_the_bound() -> None:
    assert _count_of_first("async def f(c):\n    i = 0\n    while i < 9:\n        i += 1\n        if c:\n"
                           "            i += 1\n") is None
    assert _count_of_first("async def f():\n    i = 0\n    while i < 9:\n        i -= 1\n") is None
    assert _count_of_first("async def f():\n    i = 0\n    while 9 > i:\n        i = i + 3\n") == 3


def test_iterables() -> None:
    cases = {
        "range(10, 0, -3)": len(range(10, 0, -3)),
        "zip(range(5), 'abc')": 3,
        "map(str, range(7))": 7,
        "itertools.chain(range(3), [1, 2])": 5,
        "itertools.product(range(4), repeat=3)": 64,
        "itertools.permutations(range(6), 2)": len(list(itertools.permutations(range(6), 2))),
        "itertools.combinations(range(7), 3)": len(list(itertools.combinations(range(7), 3))),
        "itertools.combinations_with_replacement(range(4), 2)":
            len(list(itertools.combinations_with_replacement(range(4), 2))),
        "itertools.permutations(range(100))": CAP,
        "itertools.combinations(range(10**6), 500_000)": CAP,
        "enumerate(sorted(range(2**10)))": 1024,
        "filter(None, range(9))": 9,
    }
    for expr, expected in cases.items():
        source = f"import itertools\nasync def f():\n    for x in {expr}:\n        pass\n"
        assert _count_of_first(source) == expected, expr
    for expr in ("range(1e7)", "range(n)", "zip(range(5), data)", "iter(f, None)", "range(1, 2, 0)"):
        assert _count_of_first(f"async def f(n, data):\n    for x in {expr}:\n        pass\n") is None, expr


def test_const_value_overflow_guards() -> None:
    ctx, function = _function("async def f():\n    pass\n")
    scope = ctx.module.scopes[function]

    def value(text: str) -> object:
        return const_value(ast.parse(text, mode="eval").body, scope, ctx.module)

    assert value("10 ** 10 ** 10") == CAP
    assert value("(-2) ** 65") == -CAP
    assert value("1 << 100") == CAP
    assert value("10.0 ** 400") is None or value("10.0 ** 400") == CAP
    assert value("1 / 0") is None
    assert value("2_000 * 1_000") == 2_000_000
