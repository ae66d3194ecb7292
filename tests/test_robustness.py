"""The checker never takes flake8 down: generated programs, pathological inputs, a rule that raises."""

from __future__ import annotations

import ast
import warnings

import hypothesmith
import pytest
from hypothesis import HealthCheck, given, settings

from flake8_async_pitfalls.checker import check_tree
from flake8_async_pitfalls.rules.blocking import BlockingSleep
from flake8_async_pitfalls.rules.unawaited import UnawaitedCoroutine


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(hypothesmith.from_grammar())
def test_generated_programs_never_crash_a_rule(source: str) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return  # flake8 reports what does not parse (E999); the plugin never sees it
    findings = check_tree(tree, "generated.py", source.splitlines(keepends=True))
    assert [f for f in findings if f.code == "APF000"] == []


@pytest.mark.parametrize("source", [
    "async def f():\n" + "".join("    " * (i + 1) + "if x:\n" for i in range(95)) + "    " * 96 + "pass\n",
    "async def f():\n    return " + "f(" * 150 + ")" * 150 + "\n",
    "import time\n" + "".join(f"s{i} = s{i - 1}\n" if i else "s0 = time.sleep\n" for i in range(3000))
    + "async def f():\n    s2999(1)\n",
    "".join(f"async def f{i}():\n    g{i}()\n" for i in range(3000)),
    "async def f():\n\tfor i in range(10**1000):\n\t\tpass\n",
    "class C:\n    x = y = z = 1\n    def m(self, *, a=lambda: (yield), **k): ...\n",
])
def test_pathological_inputs_are_checked_normally(source: str) -> None:
    tree = ast.parse(source)
    findings = check_tree(tree, "odd.py", source.splitlines(keepends=True))
    assert [f for f in findings if f.code == "APF000"] == []


def test_a_rule_that_raises_becomes_one_apf000_and_the_others_still_run(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> None:
        raise ValueError("boom")

    monkeypatch.setattr(BlockingSleep, "check_call", broken)
    source = "import time\nasync def fetch(): ...\nasync def main():\n    time.sleep(1)\n    fetch()\n"
    findings = check_tree(ast.parse(source), "x.py", ())
    errors = [f for f in findings if f.code == "APF000"]
    assert len(errors) == 1 and "APF201" in errors[0].message and "boom" in errors[0].message
    assert any(f.code == UnawaitedCoroutine.code for f in findings)
