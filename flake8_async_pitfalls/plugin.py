"""The flake8 face of the linter: options in, findings out."""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

from . import __version__
from .checker import check_tree
from .settings import Settings, register_flake8_options, settings_from_flake8


class Plugin:
    """flake8 entry point ``APF``: runs every rule over the tree flake8 has already parsed."""

    name = "flake8-async-pitfalls"
    version = __version__
    settings: ClassVar[Settings] = Settings()

    def __init__(self, tree: ast.AST, filename: str = "<unknown>", lines: Sequence[str] = ()) -> None:
        self._tree = tree
        self._filename = filename
        self._lines = lines

    @classmethod
    def add_options(cls, option_manager: Any) -> None:
        register_flake8_options(option_manager)

    @classmethod
    def parse_options(cls, options: Any) -> None:
        try:
            cls.settings = settings_from_flake8(options)
        except ValueError as exc:
            raise SystemExit(f"flake8-async-pitfalls: {exc}") from None

    def run(self) -> Iterator[tuple[int, int, str, type[Plugin]]]:
        for finding in check_tree(self._tree, self._filename, self._lines, self.settings):
            yield finding.line, finding.col, finding.flake8_text(), type(self)
