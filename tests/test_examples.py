"""Every rule's bad/good example pair: linted, and run with the rule's probe (see tests/probes.py)."""

from __future__ import annotations

import pytest

from flake8_async_pitfalls.rules import ALL_RULES
from flake8_async_pitfalls.rules.base import Rule
from tests import probes


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
