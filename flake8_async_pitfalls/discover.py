"""Which files a run checks: the paths given, directories walked for ``*.py``, minus excludes and .gitignore.

- Excludes work as in flake8: a pattern matches a file's or directory's base name or its absolute path
  (fnmatch); an excluded directory is not entered, and a path given on the command line is skipped too
  when it is excluded.
- Ignored files (``.gitignore``) are skipped only while walking a directory; a file named on the command
  line is checked even when git ignores it. Inside a git work tree, ``git check-ignore`` decides (so
  nested .gitignore files, ``.git/info/exclude`` and the global excludes file all count, and tracked files
  are never ignored), asked once per directory level. Outside one, or without git, a small reader
  applies the ``.gitignore`` files of the walked directories (and of its parents up to the working
  directory); it knows ``!`` negation, ``/`` anchoring, trailing ``/`` for directories and ``**``
  segments, but not backslash escapes, and ``*`` in an anchored pattern may cross a ``/``.
- Symbolic links to directories are not followed while walking (as in flake8), so a link loop cannot trap
  the walk; a link to a file is checked. A path that does not exist, a dangling or looping link, and a
  directory that cannot be listed each become a ``Problem``; the other files are still checked.
"""

from __future__ import annotations

import errno
import fnmatch
import os
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .config import path_matches

STDIN = "-"


@dataclass(frozen=True, slots=True)
class Problem:
    """A path that could not be checked, and why (printed on stderr as ``path: message``)."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass(slots=True)
class Discovery:
    """The files to check (display paths, sorted like flake8 sorts its report) and the problems met."""

    files: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)  # paths given on the command line that are excluded


def describe_os_error(exc: OSError) -> str:
    """A short, plain reason for an OSError (no traceback, no errno number)."""
    if exc.errno == errno.ELOOP:
        return "cannot read: too many levels of symbolic links (a symlink loop)"
    if isinstance(exc, FileNotFoundError):
        return "cannot read: no such file or directory"
    if isinstance(exc, PermissionError):
        return "cannot read: permission denied"
    if isinstance(exc, IsADirectoryError):
        return "cannot read: is a directory"
    return f"cannot read: {exc.strerror or exc}"


def _missing_reason(path: str) -> str:
    """Why a path given on the command line does not lead to anything."""
    if not os.path.lexists(path):
        return "no such file or directory"
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "too many levels of symbolic links (a symlink loop)"
        if isinstance(exc, FileNotFoundError):
            return f"broken symbolic link (to {os.readlink(path)!r})"
        return describe_os_error(exc)
    return "cannot be checked"


# -- .gitignore -----------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Pattern:
    pattern: str
    negate: bool
    directory_only: bool
    anchored: bool

    def matches(self, relative: str, is_dir: bool) -> bool:
        if self.directory_only and not is_dir:
            return False
        if self.anchored:
            return fnmatch.fnmatchcase(relative, self.pattern) or (
                self.pattern.startswith("**/") and fnmatch.fnmatchcase(relative, self.pattern[3:]))
        return fnmatch.fnmatchcase(relative.rsplit("/", 1)[-1], self.pattern)


def parse_gitignore(text: str) -> list[_Pattern]:
    """The patterns of one .gitignore file, in order (the last matching one decides)."""
    patterns = []
    for line in text.splitlines():
        line = line.rstrip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        if negate:
            line = line[1:]
        directory_only = line.endswith("/")
        line = line.rstrip("/")
        anchored = "/" in line
        line = line.lstrip("/")
        if line:
            patterns.append(_Pattern(line, negate, directory_only, anchored))
    return patterns


class _GitignoreFiles:
    """The fallback without git: .gitignore files read with :func:`parse_gitignore`."""

    def __init__(self) -> None:
        self._by_directory: dict[str, list[_Pattern]] = {}

    def _patterns(self, directory: str) -> list[_Pattern]:
        patterns = self._by_directory.get(directory)
        if patterns is None:
            try:
                with open(os.path.join(directory, ".gitignore"), encoding="utf-8", errors="replace") as handle:
                    patterns = parse_gitignore(handle.read())
            except OSError:
                patterns = []
            self._by_directory[directory] = patterns
        return patterns

    def ignored(self, path: str, is_dir: bool, top: str) -> bool:
        """Whether ``path`` is ignored by the .gitignore files from ``top``'s outermost known parent down."""
        absolute = os.path.abspath(path)
        directories = _directories_between(_outermost(top), os.path.dirname(absolute))
        verdict = False
        for directory in directories:
            relative = os.path.relpath(absolute, directory).replace(os.sep, "/")
            for pattern in self._patterns(directory):
                if pattern.matches(relative, is_dir):
                    verdict = not pattern.negate
        return verdict


def _outermost(top: str) -> str:
    """Where the fallback reader starts: the working directory when ``top`` is inside it, else ``top``."""
    absolute = os.path.abspath(top)
    cwd = os.getcwd()
    try:
        inside = os.path.commonpath([absolute, cwd]) == cwd
    except ValueError:
        inside = False
    return cwd if inside else absolute


def _directories_between(outer: str, inner: str) -> list[str]:
    """``outer``, then each directory down to ``inner`` (just ``[inner]`` when it is not below ``outer``)."""
    chain = [inner]
    while chain[-1] != outer:
        parent = os.path.dirname(chain[-1])
        if parent == chain[-1]:
            return [inner]
        chain.append(parent)
    return chain[::-1]


class GitIgnore:
    """Decides which walked paths .gitignore excludes: ``git check-ignore`` in a work tree, else the reader."""

    def __init__(self) -> None:
        self._git = shutil.which("git")
        self._toplevel: dict[str, str | None] = {}
        self._files = _GitignoreFiles()

    def toplevel(self, directory: str) -> str | None:
        """The root of the git work tree ``directory`` is in, or None (no git, or not in a work tree)."""
        if self._git is None:
            return None
        absolute = os.path.abspath(directory)
        if absolute not in self._toplevel:
            try:
                result = subprocess.run([self._git, "-C", absolute, "rev-parse", "--show-toplevel"],
                                        capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
                root = result.stdout.strip() if result.returncode == 0 else ""
            except (OSError, subprocess.SubprocessError):
                root = ""
            self._toplevel[absolute] = root or None
        return self._toplevel[absolute]

    def ignored(self, candidates: Sequence[tuple[str, bool, str | None]], top: str) -> set[str]:
        """The ignored ones of ``(path, is_dir, git root or None)``, asking git once per root."""
        ignored: set[str] = set()
        by_root: dict[str | None, list[tuple[str, bool]]] = {}
        for path, is_dir, root in candidates:
            by_root.setdefault(root, []).append((path, is_dir))
        for root, entries in by_root.items():
            answer = None if root is None else self._check_ignore(root, [path for path, _ in entries])
            if answer is None:
                ignored.update(path for path, is_dir in entries if self._files.ignored(path, is_dir, top))
            else:
                ignored.update(answer)
        return ignored

    def _check_ignore(self, root: str, paths: Sequence[str]) -> set[str] | None:
        """Ask ``git check-ignore`` (None when git fails, e.g. for paths inside a submodule)."""
        assert self._git is not None
        relative = {os.path.relpath(os.path.abspath(path), root): path for path in paths}
        try:
            result = subprocess.run([self._git, "-C", root, "check-ignore", "--stdin", "-z"],
                                    input="\0".join(relative).encode("utf-8", "surrogateescape") + b"\0",
                                    capture_output=True, timeout=120)
        except (OSError, subprocess.SubprocessError):
            return None
        if result.returncode not in (0, 1):
            return None
        out = result.stdout.decode("utf-8", "surrogateescape")
        return {relative[name] for name in out.split("\0") if name in relative}


# -- the walk -------------------------------------------------------------------------------------------------

def _is_dir_entry(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False


def _walk(top: str, exclude: Sequence[str], gitignore: GitIgnore | None, discovery: Discovery) -> None:
    """Every ``*.py`` under ``top``, level by level (so .gitignore is asked once per level, not per entry)."""
    root_of: dict[str, str | None] = {top: gitignore.toplevel(top) if gitignore is not None else None}
    level = [top]
    while level:
        candidates: list[tuple[str, bool, str | None]] = []
        for directory in level:
            root = root_of[directory]
            try:
                with os.scandir(directory) as scan:
                    entries = sorted(scan, key=lambda e: e.name)
            except OSError as exc:
                discovery.problems.append(Problem(directory, describe_os_error(exc).replace("read", "list", 1)))
                continue
            if directory != top and any(e.name == ".git" for e in entries):
                root = gitignore.toplevel(directory) if gitignore is not None else None
            for entry in entries:
                path = os.path.join(directory, entry.name)
                is_dir = _is_dir_entry(entry)
                if not is_dir and (entry.is_symlink() and os.path.isdir(path) or not entry.name.endswith(".py")):
                    continue  # a link to a directory is not followed; only *.py files are checked
                if path_matches(path, exclude):
                    continue
                candidates.append((path, is_dir, root))
                if is_dir:
                    root_of[path] = root
        ignored = gitignore.ignored(candidates, top) if gitignore is not None else set()
        level = []
        for path, is_dir, _ in candidates:
            if path in ignored:
                continue
            if is_dir:
                level.append(path)
            else:
                discovery.files.append(path)


def discover(paths: Iterable[str], exclude: Sequence[str], use_gitignore: bool = True) -> Discovery:
    """Expand the command line's paths into the files to check (``-`` stays: it is stdin)."""
    discovery = Discovery()
    gitignore = GitIgnore() if use_gitignore else None
    seen: set[str] = set()
    for path in paths:
        if path == STDIN:
            discovery.files.append(path)
            continue
        if path_matches(path, exclude):
            discovery.excluded.append(path)
            continue
        if os.path.isdir(path):
            _walk(path, exclude, gitignore, discovery)
        elif os.path.exists(path):
            discovery.files.append(path)
        else:
            discovery.problems.append(Problem(path, _missing_reason(path)))
    unique = []
    for path in discovery.files:
        if path not in seen or path == STDIN:
            seen.add(path)
            unique.append(path)
    discovery.files = sorted(unique)
    return discovery
