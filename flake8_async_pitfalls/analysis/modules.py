"""Where a file sits in its package: its dotted module name, found from the file system (no imports)."""

from __future__ import annotations

import functools
import os


@functools.lru_cache(maxsize=4096)
def _package_of_directory(directory: str) -> str:
    """The dotted package a directory is (``""`` when it holds no ``__init__.py``)."""
    if not os.path.isfile(os.path.join(directory, "__init__.py")):
        return ""
    parent = os.path.dirname(directory)
    name = os.path.basename(directory)
    if parent == directory or not name.isidentifier():
        return ""
    above = _package_of_directory(parent)
    return f"{above}.{name}" if above else name


@functools.lru_cache(maxsize=4096)
def module_location(filename: str) -> tuple[str, str]:
    """``(module name, package name)`` for a file: ``pkg/sub/mod.py`` -> ``("pkg.sub.mod", "pkg.sub")``.

    An ``__init__.py`` is its package: ``("pkg.sub", "pkg.sub")``. Files outside any package, stdin and
    unreadable paths are named after their stem, with no package.
    """
    if not filename or filename in ("-", "stdin"):
        return "__main__", ""
    path = os.path.abspath(filename)
    directory, base = os.path.split(path)
    stem = base[:-3] if base.endswith(".py") else base.rsplit(".", 1)[0]
    try:
        package = _package_of_directory(directory)
    except OSError:  # a directory we may not read: treat the file as standalone
        package = ""
    if stem == "__init__":
        return (package or os.path.basename(directory)), package
    if not stem.isidentifier():
        stem = "__main__"
    return (f"{package}.{stem}" if package else stem), package
