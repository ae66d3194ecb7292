"""Finding the libcst node a finding was reported at, by position.

``ast`` positions are (1-based line, 0-based column in UTF-8 *bytes*); libcst's are in *characters*. Both
exclude the parentheses around an expression. The finding's end position (when the rule's node had one)
tells apart nodes that start at the same place: ``requests.get(u)`` and ``requests.get(u).json()``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import libcst as cst
from libcst.metadata import CodeRange, PositionProvider

from ..rules.base import Finding
from .base import FixContext, Skip

_NEWLINE = re.compile(r"\r\n|\r|\n")


class Locator:
    """Positions of one file's nodes, indexed by start."""

    def __init__(self, ctx: FixContext, source: str) -> None:
        self._lines = _NEWLINE.split(source)
        positions: Mapping[cst.CSTNode, CodeRange] = ctx.wrapper.resolve(PositionProvider)
        self._ranges = positions
        self._by_start: dict[tuple[int, int], list[cst.CSTNode]] = {}
        # ast places a parenthesized tuple on its innermost parentheses; libcst leaves them out
        self._tuple_ends: dict[cst.CSTNode, tuple[int, int]] = {}
        for node, code_range in positions.items():
            self._by_start.setdefault((code_range.start.line, code_range.start.column), []).append(node)
            if isinstance(node, cst.Tuple) and node.lpar:
                opening, closing = positions[node.lpar[-1]], positions[node.rpar[0]]
                self._by_start.setdefault((opening.start.line, opening.start.column), []).append(node)
                self._tuple_ends[node] = (closing.end.line, closing.end.column)
        self._ctx = ctx

    def char_column(self, line: int, byte_col: int) -> int:
        """The character column of an ``ast`` (UTF-8 byte) column on a 1-based line."""
        if not 1 <= line <= len(self._lines):
            return byte_col
        text = self._lines[line - 1]
        if text.isascii():
            return byte_col
        return len(text.encode("utf-8")[:byte_col].decode("utf-8", errors="ignore"))

    def find(self, finding: Finding, targets: Sequence[type[cst.CSTNode]]) -> cst.CSTNode:
        """The node of one of the ``targets`` types the finding points at; raises Skip if there is none."""
        start = (finding.line, self.char_column(finding.line, finding.col))
        end = None
        if finding.end_line is not None and finding.end_col is not None:
            end = (finding.end_line, self.char_column(finding.end_line, finding.end_col))
        candidates = [n for n in self._by_start.get(start, ()) if isinstance(n, tuple(targets))]
        if end is not None and len(candidates) > 1:
            exact = [n for n in candidates if end in (self._end(n), self._tuple_ends.get(n))]
            candidates = exact or candidates
        if not candidates and issubclass(cst.GeneratorExp, tuple(targets)) and end is not None:
            # `f(x for x in y)`: ast places the generator expression on the call's parentheses
            candidates = [n for n in self._sole_generator_arguments(end)]
        if not candidates:
            raise Skip("the reported code was not found at its position (has the file changed?)")
        if len(candidates) > 1 and end is None:
            raise Skip("several constructs start at the reported position")
        return candidates[0]

    def _end(self, node: cst.CSTNode) -> tuple[int, int]:
        code_range = self._ranges[node]
        return code_range.end.line, code_range.end.column

    def _sole_generator_arguments(self, end: tuple[int, int]) -> list[cst.CSTNode]:
        found: list[cst.CSTNode] = []
        for node, code_range in self._ranges.items():
            if isinstance(node, cst.Call) and (code_range.end.line, code_range.end.column) == end \
                    and len(node.args) == 1 and isinstance(node.args[0].value, cst.GeneratorExp) \
                    and not node.args[0].value.lpar:
                found.append(node.args[0].value)
        return found
