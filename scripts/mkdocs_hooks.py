"""mkdocs hooks of the documentation site (mkdocs.yml ``hooks:``).

The pages under docs/ link to files of the repository that are not part of the site, e.g. a rule page's
``[bad.py](../../fixtures/examples/APF201/bad.py)``. Those relative links work when the markdown is read in
the repository; on the site they would point nowhere (and ``mkdocs build --strict`` rejects them). This hook
rewrites each such link into a link to the file in the source repository (``repo_url``), after checking the
file exists: a link to a missing file is a warning, which fails the strict build.
"""

from __future__ import annotations

import logging
import posixpath
import re
from pathlib import Path
from typing import Any

log = logging.getLogger("mkdocs.hooks.repository_links")

# a markdown inline link or image target: ](target) or ](target "title"); only relative targets that leave
# the docs directory (start with ../) are candidates
_LINK = re.compile(r"\]\((?P<target>\.\./[^)\s#]+)(?P<anchor>#[^)\s]*)?(?P<title>\s+\"[^\"]*\")?\)")
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")


def _repository_link(target: str, page_path: str, docs_dir: Path, repo_url: str) -> str | None:
    """The repository URL for ``target`` (relative to the page), or None when it stays inside the docs."""
    page_dir = posixpath.dirname(page_path)
    inside_docs = posixpath.normpath(posixpath.join(page_dir, target))
    if not inside_docs.startswith("../"):
        return None  # a link between pages: mkdocs validates it
    root = docs_dir.parent
    relative = posixpath.normpath(posixpath.join(docs_dir.name, inside_docs))
    if relative.startswith("../"):
        log.warning("Doc file '%s' links to '%s', which is outside the repository", page_path, target)
        return None
    if not (root / relative).exists():
        log.warning("Doc file '%s' links to '%s', but the repository has no file '%s'", page_path, target,
                    relative)
        return None
    return f"{repo_url.rstrip('/')}/blob/HEAD/{relative}"


def on_page_markdown(markdown: str, *, page: Any, config: Any, files: Any) -> str:
    """Rewrite the links that leave the docs directory into links to the repository (outside code blocks)."""
    repo_url = config.get("repo_url")
    if not repo_url:
        return markdown
    docs_dir = Path(config["docs_dir"])
    page_path = page.file.src_uri
    lines = markdown.splitlines(keepends=True)
    fence: str | None = None
    for index, line in enumerate(lines):
        match = _FENCE.match(line)
        if match:
            if fence is None:
                fence = match.group(1)
            elif match.group(1).startswith(fence) and not line.strip()[len(match.group(1)):]:
                fence = None
            continue
        if fence is not None or "](../" not in line:
            continue

        def replace(link: re.Match[str]) -> str:
            url = _repository_link(link.group("target"), page_path, docs_dir, repo_url)
            if url is None:
                return link.group(0)
            return f"]({url}{link.group('anchor') or ''}{link.group('title') or ''})"

        lines[index] = _LINK.sub(replace, line)
    return "".join(lines)
