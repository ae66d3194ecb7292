"""The generated docs are up to date, complete, measured, and shaped alike (see flake8_async_pitfalls/docgen.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from flake8_async_pitfalls import docgen
from flake8_async_pitfalls.rules import ALL_RULES
from flake8_async_pitfalls.rules.base import Rule
from flake8_async_pitfalls.settings import settings_from_mapping

ROOT = docgen.ROOT
CODES = [rule.code for rule in ALL_RULES]
REGENERATE = f"run `{docgen.GENERATE_COMMAND}`"
_CODE_LINK = re.compile(r"\[(APF\d{3})\]\(")


def _page(rule: Rule) -> Path:
    return ROOT / docgen.RULES_DIR / f"{rule.code}.md"


def _headings(markdown: str) -> list[str]:
    """The ATX headings of a markdown text, outside fenced code blocks (a ``# comment`` is not a heading)."""
    headings: list[str] = []
    fence: str | None = None
    for line in markdown.splitlines():
        stripped = line.strip()
        match = re.match(r"^(`{3,}|~{3,})", stripped)
        if match:
            if fence is None:
                fence = match.group(1)
            elif stripped.startswith(fence) and not stripped[len(fence):].strip():
                fence = None
            continue
        if fence is None and re.match(r"^#{1,6} ", line):
            headings.append(line.rstrip())
    return headings


def _table_codes(path: Path) -> list[str] | None:
    if not path.is_file():
        return None
    block = docgen.table_block(path.read_text(encoding="utf-8"))
    return None if block is None else _CODE_LINK.findall(block)


# (1) up to date -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_rule_page_is_up_to_date(rule: Rule) -> None:
    page = _page(rule)
    assert page.is_file(), f"{page.relative_to(ROOT)} is missing: {REGENERATE}"
    expected = docgen.render_page(rule, ROOT, docgen.load_measurements(ROOT))
    assert page.read_text(encoding="utf-8") == expected, f"{page.relative_to(ROOT)} is stale: {REGENERATE}"


@pytest.mark.parametrize("name", [docgen.INDEX, docgen.README], ids=str)
def test_rules_table_is_up_to_date(name: Path) -> None:
    path = ROOT / name
    if not path.is_file() or docgen.table_block(path.read_text(encoding="utf-8")) is None:
        if name == docgen.INDEX:
            pytest.fail(f"{name} has no {docgen.TABLE_START} / {docgen.TABLE_END} markers")
        pytest.skip(f"{name} has no rules-table markers yet")
    expected = docgen.expected_files(ROOT)[path]
    assert path.read_text(encoding="utf-8") == expected, f"the rules table in {name} is stale: {REGENERATE}"


def test_rules_overview_page_is_up_to_date() -> None:
    path = ROOT / docgen.RULES_INDEX
    assert path.is_file(), f"{docgen.RULES_INDEX} is missing: {REGENERATE}"
    expected = docgen.render_rules_index()
    assert path.read_text(encoding="utf-8") == expected, f"{docgen.RULES_INDEX} is stale: {REGENERATE}"


def test_mkdocs_nav_lists_every_rule_page() -> None:
    path = ROOT / docgen.MKDOCS
    text = path.read_text(encoding="utf-8")
    expected = docgen.replace_nav(text, ALL_RULES)
    assert expected is not None, f"{docgen.MKDOCS} has no '{docgen.NAV_START}' / '{docgen.NAV_END}' comment lines"
    assert text == expected, f"the rules nav in {docgen.MKDOCS} is stale: {REGENERATE}"


def test_replace_nav_keeps_the_rest() -> None:
    text = f"nav:\n  - Rules:\n      {docgen.NAV_START}\n      - old: x.md\n      {docgen.NAV_END}\n  - More: m.md\n"
    updated = docgen.replace_nav(text, ALL_RULES[:1])
    rule = ALL_RULES[0]
    assert updated == (f"nav:\n  - Rules:\n      {docgen.NAV_START}\n      - {rule.code} {rule.name}: "
                       f"rules/{rule.code}.md\n      {docgen.NAV_END}\n  - More: m.md\n")
    assert docgen.replace_nav("nav: []\n", ALL_RULES) is None


# (2) documented codes == implemented codes ----------------------------------------------------------------

def test_rule_pages_match_implemented_rules() -> None:
    pages = sorted(p.stem for p in (ROOT / docgen.RULES_DIR).glob("APF*.md"))
    assert pages == sorted(CODES), f"docs/rules/ pages differ from ALL_RULES: {REGENERATE}"


def test_index_lists_every_rule() -> None:
    codes = _table_codes(ROOT / docgen.INDEX)
    assert codes is not None, f"{docgen.INDEX} has no rules-table markers"
    assert codes == CODES, f"{docgen.INDEX} lists {codes}, ALL_RULES has {CODES}: {REGENERATE}"


def test_readme_lists_every_rule() -> None:
    codes = _table_codes(ROOT / docgen.README)
    if codes is None:
        pytest.skip("README.md has no rules-table markers yet")
    assert codes == CODES, f"README.md lists {codes}, ALL_RULES has {CODES}: {REGENERATE}"


# (3) measured, and the measurement confirmed the pitfall -------------------------------------------------

@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_rule_examples_were_measured(rule: Rule) -> None:
    record = f"run `{docgen.RECORD_COMMAND} {rule.code}` and commit {docgen.MEASUREMENTS}"
    measurement = docgen.load_measurements(ROOT).get(rule.code)
    assert measurement is not None, f"{rule.code} has no recorded measurements: {record}"
    assert measurement.get("ok") is True, (
        f"{rule.code}: the recorded run did not confirm the pitfall ({measurement.get('problems')}): {record}")
    assert measurement.get("probe") == rule.probe, f"{rule.code}: recorded with another probe: {record}"
    digest = docgen.examples_digest(ROOT / docgen.EXAMPLES_DIR / rule.code)
    assert measurement.get("examples_sha256") == digest, f"{rule.code}: the examples changed since: {record}"


# (4) every page has the same headings, in order ---------------------------------------------------------

@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_rule_page_headings(rule: Rule) -> None:
    page = _page(rule)
    assert page.is_file(), f"{page.relative_to(ROOT)} is missing: {REGENERATE}"
    headings = _headings(page.read_text(encoding="utf-8"))
    titles = [h for h in headings if h.startswith("# ")]
    sections = [h[3:] for h in headings if h.startswith("## ")]
    assert titles == [f"# {rule.code} {rule.name}"]
    assert headings[0] == titles[0], "the page must start with its title"
    assert sections == list(docgen.HEADINGS)


# the generator itself -----------------------------------------------------------------------------------

def test_unmeasured_rule_says_so() -> None:
    rule = ALL_RULES[0]
    page = docgen.render_page(rule, ROOT, measurements={})
    assert "Not yet measured" in page
    assert [h[3:] for h in _headings(page) if h.startswith("## ")] == list(docgen.HEADINGS)


def test_headings_ignore_code_blocks() -> None:
    text = "# T\n\n```python\n# comment\n## not a heading\n```\n\n## Real\n"
    assert _headings(text) == ["# T", "## Real"]


def test_replace_table_keeps_the_rest() -> None:
    text = f"intro\n{docgen.TABLE_START}\nold\n{docgen.TABLE_END}\nrest\n"
    assert docgen.replace_table(text, "new\n") == f"intro\n{docgen.TABLE_START}\nnew\n{docgen.TABLE_END}\nrest\n"
    assert docgen.replace_table("no markers", "new\n") is None


def test_table_driven_rules_list_their_calls() -> None:
    for rule in ALL_RULES:
        entries = docgen.table_entries(rule)
        if not entries:
            continue
        page = docgen.render_page(rule, ROOT, measurements={})
        assert "### Calls it looks for" in page
        for key, _ in entries:
            assert f"`{key}`" in page, f"{rule.code}: {key} is not listed on its page"


def test_declared_settings_agree_with_the_example_tests() -> None:
    from tests.fixture_markers import read_settings

    for bad in sorted((ROOT / docgen.EXAMPLES_DIR).glob("APF*/bad.py")):
        declared = docgen.declared_settings(bad.read_text(encoding="utf-8"))
        assert settings_from_mapping(declared) == read_settings(bad), bad
