"""Every rule's bad/good example pair: linted, and run with the rule's probe (see tests/probes.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from flake8_async_pitfalls.rules import ALL_RULES
from flake8_async_pitfalls.rules.base import Rule
from tests import probes
from tests.fixture_markers import read_settings


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_bad_example_reports_exactly_its_rule(rule: Rule) -> None:
    codes = probes.lint_codes(probes.example_dir(rule.code) / "bad.py")
    assert codes, f"{rule.code}: the bad example reports nothing"
    assert set(codes) == {rule.code}, f"{rule.code}: the bad example reports {codes}"


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_good_example_is_clean(rule: Rule) -> None:
    assert probes.lint_codes(probes.example_dir(rule.code) / "good.py") == []


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_examples_show_the_pitfall_when_run(rule: Rule) -> None:
    verdict = probes.verify(rule)
    assert verdict.ok, "\n".join(verdict.problems)


# APF208's example runs sqlite3 (the one database driver in the standard library), whose connection belongs to
# the thread that made it: its to_thread fix declines sqlite3 by design (test below), so that example cannot
# be proven by running; fixtures/APF208.fixed.py shows the fix on the other drivers
FIXABLE_RULES = [rule for rule in ALL_RULES if rule.fix_safety is not None and rule.code != "APF208"]


@pytest.mark.parametrize("rule", FIXABLE_RULES, ids=lambda r: r.code)
def test_fixed_bad_example_lints_clean_and_runs_as_a_good_one(rule: Rule, tmp_path: Path) -> None:
    """Proof by running: bad.py fixed with unsafe fixes enabled lints clean and passes the good side of the
    rule's probe (the loop no longer stalls, the coroutine runs, the program compiles and prints the
    expected output)."""
    from flake8_async_pitfalls.fixes import fix_file

    fixed = tmp_path / "bad.py"
    shutil.copyfile(probes.example_dir(rule.code) / "bad.py", fixed)
    outcome = fix_file(fixed, read_settings(fixed), unsafe=True)
    assert outcome.error is None and outcome.written, outcome.error
    assert outcome.skipped == (), f"{rule.code}: findings left unfixed: {outcome.skipped}"
    assert probes.lint_codes(fixed) == [], f"{rule.code}: the fixed example still reports"
    verdict = probes.verify(rule, good_program=fixed)
    assert verdict.ok, "\n".join(verdict.problems)


def test_sqlite3_calls_are_left_alone_by_the_to_thread_fix(tmp_path: Path) -> None:
    from flake8_async_pitfalls.fixes import fix_file

    fixed = tmp_path / "bad.py"
    shutil.copyfile(probes.example_dir("APF208") / "bad.py", fixed)
    before = fixed.read_bytes()
    outcome = fix_file(fixed, read_settings(fixed), unsafe=True)
    assert outcome.error is None
    assert fixed.read_bytes() == before
    assert outcome.skipped and all(f.code == "APF208" and "sqlite3" in reason for f, reason in outcome.skipped)
