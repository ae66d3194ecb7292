"""A cache on disk of the project index's module summaries, shared by processes and runs.

Summarizing another module of the project means parsing and walking it a second time (flake8 parses it
for its own check too): on a cold run that is most of what whole-project analysis costs. flake8 starts a
new process for every run (every save in an editor, every commit), so the per-process index alone would
pay it again each time. Summaries are small, so they are kept on disk, one JSON file per module, in the
user's cache directory (``$FLAKE8_ASYNC_PITFALLS_CACHE_DIR``, else ``$XDG_CACHE_HOME/flake8-async-pitfalls``,
else ``~/.cache/flake8-async-pitfalls``); ``--apf-no-cache`` turns it off.

An entry is used only when the module's path, mtime and size are those it was made from, and so are those
of every other module consulted while it was made (a decorator imported from elsewhere can change what a
function is). Entries are keyed by the package version and by the settings a summary depends on. Writes
go to a temporary file renamed into place (atomic, so ``-j`` workers never read half a file); an entry
that cannot be read or does not match is ignored and rebuilt, and a directory that cannot be written is
simply not used.
"""

from __future__ import annotations

import functools
import json
import os
import tempfile
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .. import __version__

if TYPE_CHECKING:
    from ..settings import Settings
    from .project import ModuleSummary

ENV_VAR = "FLAKE8_ASYNC_PITFALLS_CACHE_DIR"
_FORMAT = 3  # bump when the entry layout changes

# (path, mtime_ns, size) of a module an entry depends on
Stamp = tuple[str, int, int]


def _digest(data: bytes, length: int) -> str:
    """The first ``length`` hex digits of the data's sha256 (hashlib imported on first use: a run may never
    need the cache, and flake8 users pay for every import at every start)."""
    import hashlib

    return hashlib.sha256(data).hexdigest()[:length]


def cache_root() -> str:
    """The directory entries go under (it may not exist yet)."""
    configured = os.environ.get(ENV_VAR)
    if configured:
        return configured
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "flake8-async-pitfalls")


@functools.lru_cache(maxsize=1)
def _code_stamp() -> str:
    """The state of this package's own code: a development checkout changes without a new version, and
    summaries made by older code must not be reused."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    stamps = []
    for directory, _subdirs, files in os.walk(package):
        for name in sorted(files):
            if name.endswith(".py"):
                found = stamp(os.path.join(directory, name))
                if found is not None:
                    stamps.append(found)
    return _digest(repr(sorted(stamps)).encode(), 16)


def stamp(path: str) -> Stamp | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (path, info.st_mtime_ns, info.st_size)


class SummaryCache:
    """Load and store module summaries for one combination of version and summary-relevant settings."""

    def __init__(self, settings: Settings, root: str | None = None) -> None:
        # what a summary depends on besides the module's text: which functions are coroutine functions and
        # which calls block (user patterns); the cpu threshold and the project depth do not enter it
        key = json.dumps([_FORMAT, __version__, _code_stamp(), list(settings.coroutine_functions),
                          list(settings.blocking_calls)])
        digest = _digest(key.encode(), 16)
        self.directory = os.path.join(root or cache_root(), f"summaries-{digest}")
        self.usable = True  # turned off after the first failed write

    def _entry(self, path: str) -> str:
        return os.path.join(self.directory, _digest(path.encode("utf-8", "surrogatepass"), 32))

    def load(self, module: Stamp) -> tuple[ModuleSummary, list[Stamp]] | None:
        """The summary stored for this exact version of the module (and of its dependencies), if any, with
        those dependencies."""
        try:
            with open(self._entry(module[0]), encoding="utf-8") as handle:
                data = json.load(handle)
            if data["module"] != list(module):
                return None
            dependencies: list[Stamp] = []
            for path, mtime, size in data["deps"]:
                dependency = (str(path), int(mtime), int(size))
                if stamp(dependency[0]) != dependency:
                    return None
                dependencies.append(dependency)
            return _summary_from_json(data["summary"]), dependencies
        except (OSError, ValueError, KeyError, TypeError, IndexError):
            return None  # absent, unreadable, or written by something else: rebuilt

    def store(self, module: Stamp, dependencies: Sequence[Stamp], summary: ModuleSummary) -> None:
        if not self.usable:
            return
        data = {"module": list(module), "deps": [list(d) for d in dependencies], "summary": _summary_to_json(summary)}
        target = self._entry(module[0])
        try:
            os.makedirs(self.directory, exist_ok=True)
            _tag_cache_directory(os.path.dirname(self.directory))
            fd, temporary = tempfile.mkstemp(dir=self.directory, prefix=".tmp-")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    json.dump(data, handle, separators=(",", ":"))
                os.replace(temporary, target)
            except BaseException:
                os.unlink(temporary)
                raise
        except OSError:
            self.usable = False  # read-only home, full disk: run without the cache


def _tag_cache_directory(directory: str) -> None:
    """A CACHEDIR.TAG tells backup tools that the directory holds only a cache."""
    tag = os.path.join(directory, "CACHEDIR.TAG")
    if not os.path.exists(tag):
        with open(tag, "w", encoding="ascii") as handle:
            handle.write("Signature: 8a477f597d28d172789f06886806bc55\n"
                         "# This directory is a cache of flake8-async-pitfalls; it may be deleted.\n")


def _summary_to_json(summary: ModuleSummary) -> dict[str, Any]:
    return {
        "name": summary.name,
        "path": summary.path,
        "functions": [
            [qualname, kind, path, line,
             None if calls is None else
             [[site_line, list(names), list(blocking) if blocking else None] for site_line, names, blocking in calls]]
            for qualname, kind, path, line, calls in summary.functions.values()
        ],
        "exports": summary.exports,
        "class_bases": {name: list(bases) for name, bases in summary.class_bases.items()},
        "complete": summary.complete,
    }


def _summary_from_json(data: dict[str, Any]) -> ModuleSummary:
    from .project import FunctionKind, FunctionSummary, ModuleSummary

    functions: dict[str, FunctionSummary] = {}
    for qualname, kind, path, line, calls in data["functions"]:
        if kind not in FunctionKind.ALL:
            raise ValueError(f"unknown function kind {kind!r}")
        sites = None if calls is None else tuple(
            (int(site_line), tuple(str(n) for n in names),
             (str(blocking[0]), str(blocking[1])) if blocking else None)
            for site_line, names, blocking in calls
        )
        functions[str(qualname)] = (str(qualname), str(kind), str(path), int(line), sites)
    exports = {str(k): str(v) for k, v in data["exports"].items()}
    bases = {str(k): tuple(str(b) for b in v) for k, v in data["class_bases"].items()}
    complete = data["complete"]
    if not isinstance(complete, bool):
        raise ValueError("'complete' is not a boolean")
    return ModuleSummary(str(data["name"]), str(data["path"]), functions, exports, bases, complete)
