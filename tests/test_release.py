"""Release hygiene: one version, used everywhere; a changelog kept by release; the project's links.

The version lives in ``flake8_async_pitfalls.__version__`` only (pyproject.toml reads it as a dynamic
attribute); CONTRIBUTING.md's release checklist says how a release changes it and CHANGELOG.md.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

import flake8_async_pitfalls
from flake8_async_pitfalls import __version__, cli
from flake8_async_pitfalls import config as configuration

ROOT = Path(__file__).resolve().parent.parent
_RELEASE_HEADING = re.compile(r"^## \[(\d+)\.(\d+)\.(\d+)\] - (\d{4})-(\d{2})-(\d{2})$")


def _pyproject() -> dict[str, Any]:
    assert configuration.TOML is not None, "reading pyproject.toml needs Python 3.11 or tomli"
    with open(ROOT / "pyproject.toml", "rb") as handle:
        data: dict[str, Any] = configuration.TOML.load(handle)
    return data


def test_version_has_one_source() -> None:
    project = _pyproject()
    assert "version" not in project["project"], "the version is set in flake8_async_pitfalls/__init__.py only"
    assert "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "flake8_async_pitfalls.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+(?:(?:a|b|rc)\d+)?(?:\.dev\d+)?", __version__)


def test_installed_metadata_has_the_same_version() -> None:
    installed = metadata.version("flake8-async-pitfalls")
    assert installed == __version__, (
        f"the installed metadata says {installed}, the package {__version__}: reinstall (pip install -e .)")


def test_flake8_version_shows_the_plugin_version() -> None:
    result = subprocess.run([sys.executable, "-m", "flake8", "--version"], capture_output=True, text=True,
                            timeout=120)
    assert f"flake8-async-pitfalls: {__version__}" in result.stdout


def test_command_line_and_sarif_show_the_same_version(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["--version"])
    assert capsys.readouterr().out.strip() == f"flake8-async-pitfalls {__version__}"
    (tmp_path / "empty.py").write_text("", encoding="utf-8")
    assert cli.main(["check", "--isolated", "--format", "sarif", str(tmp_path / "empty.py")]) == 0
    driver = json.loads(capsys.readouterr().out)["runs"][0]["tool"]["driver"]
    assert driver["version"] == __version__


def test_changelog_is_kept_by_release() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings and headings[0] == "## Unreleased", "CHANGELOG.md starts with '## Unreleased'"
    releases = []
    for heading in headings[1:]:
        match = _RELEASE_HEADING.match(heading)
        assert match, f"CHANGELOG.md: {heading!r} is not '## [X.Y.Z] - YYYY-MM-DD'"
        releases.append(tuple(int(part) for part in match.groups()[:3]))
    assert releases == sorted(releases, reverse=True), "releases are listed newest first"
    if releases:
        current = tuple(int(part) for part in re.findall(r"\d+", __version__)[:3])
        assert releases[0] <= current, f"CHANGELOG.md lists {releases[0]}, newer than __version__ {__version__}"


def test_project_links() -> None:
    urls = _pyproject()["project"]["urls"]
    assert set(urls) >= {"Homepage", "Documentation", "Changelog", "Issues"}
    assert all(url.startswith("https://") for url in urls.values())
    docs_url = getattr(flake8_async_pitfalls, "DOCS_URL", None)
    if docs_url is not None:
        assert urls["Documentation"] == docs_url
        assert urls["Changelog"] == f"{docs_url}changelog/"


def test_contributing_has_the_release_checklist() -> None:
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    for step in ("__version__", "## Unreleased", "python -m flake8_async_pitfalls.docgen", "mkdocs build --strict",
                 "python -m build", "twine check", "git tag", "mkdocs gh-deploy"):
        assert step in text, f"CONTRIBUTING.md's release checklist does not mention {step!r}"
