"""The configuration examples of the docs are true: each is run as shown (tests/doc_examples.py says how)."""

from __future__ import annotations

from pathlib import Path

import pytest

from flake8_async_pitfalls.settings import OPTIONS, settings_from_mapping
from tests import doc_examples

ROOT = Path(__file__).resolve().parent.parent
PAGES = ("docs/configuration.md", "docs/getting-started.md")


def _runs() -> list[tuple[str, doc_examples.Run]]:
    runs = []
    for name in PAGES:
        page = doc_examples.parse((ROOT / name).read_text(encoding="utf-8"))
        runs.extend((name, run) for run in page.runs)
    return runs


@pytest.mark.parametrize("name", PAGES)
def test_every_documented_config_file_is_run(name: str) -> None:
    page = doc_examples.parse((ROOT / name).read_text(encoding="utf-8"))
    assert page.runs, f"{name} shows no console example"
    assert not page.unverified_files, (
        f"{name}: config files no console block runs with (lines {page.unverified_files}): follow each with a "
        f"console block in the same section")


@pytest.mark.parametrize(("name", "run"), _runs(), ids=lambda value: str(getattr(value, "line", value)))
def test_documented_example_prints_what_the_page_shows(name: str, run: doc_examples.Run, tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    problems = doc_examples.execute(run, project)
    assert not problems, f"{name}, the console block at line {run.line}:\n" + "\n".join(problems)


def test_configuration_page_documents_every_option() -> None:
    text = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    for option in OPTIONS:
        assert f"`{option.flag.lstrip('-')}" in text, f"docs/configuration.md does not document {option.flag}"


@pytest.mark.parametrize("raw", [
    "mylib.sync_fetch -> mylib.async_fetch, legacy.db.*",
    "mylib.sync_fetch->mylib.async_fetch\nlegacy.db.*",
    ["mylib.sync_fetch ->  mylib.async_fetch", "legacy.db.*"],
])
def test_blocking_calls_lists_read_alike_with_or_without_spaces(raw: object) -> None:
    settings = settings_from_mapping({"blocking_calls": raw})
    assert settings.blocking_calls == ("mylib.sync_fetch->mylib.async_fetch", "legacy.db.*")


def test_whitespace_separated_names_are_a_list() -> None:
    settings = settings_from_mapping({"coroutine_functions": "pkg.a pkg.b,\n  pkg.c"})
    assert settings.coroutine_functions == ("pkg.a", "pkg.b", "pkg.c")


def test_config_search_never_climbs_into_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As flake8: a ``~/.flake8`` is not the config of every project below home (only of home itself)."""
    from flake8_async_pitfalls import config

    home = tmp_path / "home"
    project = home / "project"
    project.mkdir(parents=True)
    (home / ".flake8").write_text("[flake8]\nextend-ignore = APF201\n", encoding="utf-8")
    monkeypatch.setenv("HOME", str(home))
    assert config.load_files(str(project)).files == []
    assert config.load_files(str(home)).files == [str(home / ".flake8")]


def test_a_local_plugins_section_makes_the_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from flake8_async_pitfalls import config

    monkeypatch.setenv("HOME", str(tmp_path))
    project = tmp_path / "a" / "b"
    project.mkdir(parents=True)
    (tmp_path / "a" / "setup.cfg").write_text("[flake8]\nextend-ignore = APF201\n", encoding="utf-8")
    (project / "tox.ini").write_text("[flake8:local-plugins]\npaths = .\n", encoding="utf-8")
    assert config.find_flake8_config(str(project)) == str(project / "tox.ini")
