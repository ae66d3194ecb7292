"""The documentation site builds with ``mkdocs build --strict`` (offline), with every page in it.

mkdocs and mkdocs-material are in the ``test`` extra: without them this test fails rather than skips, so CI
always checks the site.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from flake8_async_pitfalls.rules import ALL_RULES

ROOT = Path(__file__).resolve().parent.parent
KEY_PAGES = ("index.html", "getting-started/index.html", "configuration/index.html", "rules/index.html",
             "editors/index.html", "pre-commit/index.html", "ci/index.html", "performance/index.html",
             "accuracy/index.html", "changelog/index.html")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    for module in ("mkdocs", "material", "pymdownx"):
        if importlib.util.find_spec(module) is None:
            pytest.fail(f"{module} is not installed: pip install -e '.[test]' (the docs site is part of CI)")
    directory = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}  # (material's banner about its successor)
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(ROOT / "mkdocs.yml"),
         "--site-dir", str(directory)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stdout}\n{result.stderr}"
    return directory


def test_every_rule_page_is_built(site: Path) -> None:
    for rule in ALL_RULES:
        page = site / "rules" / rule.code / "index.html"
        assert page.is_file(), f"the site has no page for {rule.code}"
        html = page.read_text(encoding="utf-8")
        assert f"{rule.code} {rule.name}" in html
        assert "Verified by running" in html


def test_key_pages_are_built(site: Path) -> None:
    missing = [name for name in KEY_PAGES if not (site / name).is_file()]
    assert not missing, f"pages missing from the site: {missing}"


def test_links_to_repository_files_point_to_the_repository(site: Path) -> None:
    html = (site / "rules" / "APF201" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'href="https://github\.com/[^"]+/blob/HEAD/fixtures/examples/APF201/bad\.py"', html)
    assert "../fixtures/" not in html


def test_changelog_page_shows_the_changelog(site: Path) -> None:
    html = (site / "changelog" / "index.html").read_text(encoding="utf-8")
    assert "Unreleased" in html and "--8&lt;--" not in html


def test_site_needs_no_network_at_build_or_view_time() -> None:
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert re.search(r"^\s+font: false$", config, flags=re.MULTILINE), "theme.font must be false (web fonts)"
    assert "social" not in config, "the social plugin fetches fonts and renders images over the network"


def test_site_url_is_the_docs_url_the_tool_links_to() -> None:
    import flake8_async_pitfalls

    site_url = re.search(r"^site_url: (\S+)$", (ROOT / "mkdocs.yml").read_text(encoding="utf-8"), re.MULTILINE)
    assert site_url is not None
    docs_url = getattr(flake8_async_pitfalls, "DOCS_URL", None)
    if docs_url is not None:
        assert site_url.group(1) == docs_url, "mkdocs.yml's site_url and flake8_async_pitfalls.DOCS_URL differ"
