"""Every fixture file: the set of (line, code) findings equals the set of markers, whole-file."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from flake8_async_pitfalls.checker import check_tree
from flake8_async_pitfalls.rules import ALL_RULES
from flake8_async_pitfalls.settings import Settings
from tests.fixture_markers import read_markers, read_settings

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
RULE_FIXTURES = sorted(p for p in FIXTURES.glob("APF*.py") if re.fullmatch(r"APF\d{3}(_\w+)?\.py", p.name))
MIN_POSITIVES = 15
MIN_NEGATIVES = 15


def lint_file(path: Path, settings: Settings | None = None) -> list[tuple[int, int, str, str]]:
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source, filename=str(path))
    findings = check_tree(tree, str(path), source.splitlines(keepends=True), settings or read_settings(path))
    return [(f.line, f.col + 1, f.code, f.message) for f in findings]


@pytest.mark.parametrize("path", RULE_FIXTURES, ids=lambda p: p.name)
def test_fixture_findings_match_markers(path: Path) -> None:
    expected, _ = read_markers(path)
    found = lint_file(path)
    expected_set = {(e.line, e.code) for e in expected}
    found_set = {(line, code) for line, _, code, _ in found}
    missing = sorted(expected_set - found_set)
    unexpected = sorted((line, code, msg) for line, _, code, msg in found if (line, code) not in expected_set)
    assert not missing and not unexpected, f"missing: {missing}\nunexpected: {unexpected}"
    # one finding per marker (no duplicates on a line unless marked twice)
    for line, code in expected_set:
        marked = sum(1 for e in expected if (e.line, e.code) == (line, code))
        reported = sum(1 for f in found if (f[0], f[2]) == (line, code))
        assert marked == reported, f"line {line} {code}: {marked} markers but {reported} findings"
    for e in expected:
        hits = [f for f in found if (f[0], f[2]) == (e.line, e.code)]
        if e.col is not None:
            assert any(f[1] == e.col for f in hits), f"line {e.line} {e.code}: no finding at col {e.col}: {hits}"
        if e.message is not None:
            assert any(e.message in f[3] for f in hits), f"line {e.line} {e.code}: no message with {e.message!r}"


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_every_rule_has_rich_fixtures(rule: object) -> None:
    code = getattr(rule, "code")
    path = FIXTURES / f"{code}.py"
    assert path.exists(), f"{path} is missing"
    expected, negatives = read_markers(path)
    positives = [e for e in expected if e.code == code]
    assert len(positives) >= MIN_POSITIVES, f"{code}: only {len(positives)} positives"
    assert len(negatives) >= MIN_NEGATIVES, f"{code}: only {len(negatives)} '# ok:' negatives"


@pytest.mark.parametrize("path", RULE_FIXTURES, ids=lambda p: p.name)
def test_fixtures_compile_only_where_expected(path: Path) -> None:
    """Fixtures are real Python: they parse (APF401 fixtures may not compile, by design)."""
    source = path.read_text(encoding="utf-8")
    ast.parse(source)
