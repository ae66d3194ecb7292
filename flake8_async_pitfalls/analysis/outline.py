"""A module's outline: its source with function bodies blanked, for the project index's first look.

Whole-project analysis reads the other modules of the project to learn what their names are: a coroutine
function, a plain function, a class, a re-export. Those answers come from declarations (decorators, names,
imports, class bases), not from function bodies, which are most of a module. So the index first parses an
*outline*: the same text with the body of every top-level function and of every method of a top-level
class replaced by ``...``, and its header by ``name():`` (parameters, annotations and defaults matter only
to the body), line for line: every line keeps its number, the other lines of a blanked function become
empty. Parsing and walking it costs about a quarter of the whole module. A summary made from it has no
call sites (the index reads the whole module when the call graph follows a plain def into its calls), and
a question that needs a body it left out (a decorator defined in the module, ``self.x = ...`` in a blanked
method) raises ``OutlineTooShallow`` from ``ModuleInfo.require_body`` / ``require_instance_attributes``:
the index then reads the whole module.

How a body is found, and why a mistake cannot change an answer:

- A function starts at a line ``def`` / ``async def`` at column 0, or at the indentation of a top-level
  class's body. Its header ends at the first ``:`` outside brackets and strings; its body runs to the next
  line, not blank and not a comment, indented no deeper than the ``def``.
- Lines inside a multi-line string or a bracket can sit at column 0. They can only end a body too early,
  never too late (a real statement after the function ends it in any case). A body ended too early leaves
  part of itself outside the blanked region: such a fragment does not parse, or parses into a shape that
  ``verify`` rejects (every blanked function must come back as a def at its line whose body is only the
  ``...`` placed there). Either way the outline is dropped and the module parsed whole.
- A body that mentions ``yield`` (a generator: what calling it returns depends on it), ``global`` or
  ``nonlocal`` (it binds names of the module) is kept. So is any function whose header holds a
  ``lambda`` outside brackets, and any whose body starts on the header line; a header holding ``:=``
  (which binds a name of the module) is kept whole.
- Indentation with tabs or form feeds anywhere: no outline (the module is parsed whole).
"""

from __future__ import annotations

import ast
import re
from typing import NamedTuple

# Tokens that matter while reading a def header: brackets, the colon, ``lambda``, and the comments and
# string literals to skip (triple-quoted, then single-quoted with escapes).
_HEADER_TOKENS = re.compile(
    r'''[()\[\]{}:]|\blambda\b|\#[^\n]*
    | """[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*"""
    | \'\'\'[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*\'\'\'
    | "[^"\\\n]*(?:\\.[^"\\\n]*)*"
    | '[^'\\\n]*(?:\\.[^'\\\n]*)*'
    ''',
    re.S | re.X,
)
# A line that starts a def or a class (searched from a newline: re's literal-prefix scan makes it fast).
_DEF_OR_CLASS = re.compile(r"\n( *)(?:(async[ \t]+def|def)|class)[ \t]")
# Any line whose indentation holds a tab or a form feed (columns would need the tokenizer's rules).
_ODD_INDENT = re.compile(r"\n *[\t\f]+[ \t\f]*[^ \t\f\n]")
# The first statement line after a position (not blank, not a comment), with its indentation.
_NEXT_LINE = re.compile(r"\n( *)[^ \t\n#\f]")
# Body words that keep a body: what the outline would lose (generators, names bound in the module).
_KEEP_BODY = re.compile("yield|global|nonlocal")

# `def name` / `async def name` up to the parameter list (or the type parameters) that follows
_DEF_NAME = re.compile(r" *(?:async[ \t]+)?def[ \t]+\w+[ \t]*(?=[(\[])")
# A blanked function: where its def starts, where its parameter list starts (-1: the header is kept as it
# is), just past its header's colon, where its body starts and ends, and the def's indentation.
_Region = tuple[int, int, int, int, int, int]

_statement_at_most: dict[int, re.Pattern[str]] = {}


def _next_statement(indent: int) -> re.Pattern[str]:
    """The next line (not blank, not a comment) indented at most ``indent`` columns."""
    pattern = _statement_at_most.get(indent)
    if pattern is None:
        pattern = _statement_at_most[indent] = re.compile(r"\n {0,%d}[^ \t\n#\f]" % indent)
    return pattern


class Outline(NamedTuple):
    """The outline's text, and for each blanked function the line of its ``def`` and of its ``...``."""

    source: str
    stubs: dict[int, int]


def outline(source: str) -> Outline | None:
    """The outline of a module's source (newlines already ``\\n``), or None when it would not help or
    cannot be made with confidence (odd indentation). See the module docstring."""
    text = "\n" + source  # every line, the first included, follows a newline
    if _ODD_INDENT.search(text):
        return None
    regions: list[_Region] = []
    length = len(text)
    top_level = _next_statement(0)
    search = _DEF_OR_CLASS.search
    position = 0
    while True:
        found = search(text, position)
        if found is None:
            break
        start = found.start() + 1
        if found.group(1):  # indented: inside some block; go on from the next top-level statement
            after = top_level.search(text, found.end())
            position = after.start() if after is not None else length
            continue
        if found.group(2):
            _add_region(text, start, 0, regions)
            position = found.end()
            continue
        position = _add_methods(text, start, regions)
    if not regions:
        return None
    pieces: list[str] = []
    stubs: dict[int, int] = {}
    last = 0
    line = 0  # line number (1-based in the source) of the position `counted` in `text`
    counted = 0
    for def_start, parameters, colon, body_start, body_end, indent in regions:
        line += text.count("\n", counted, def_start)
        counted = def_start
        stubs[line] = line + text.count("\n", def_start, body_start)
        if parameters < 0:
            pieces.append(text[last:body_start])
        else:
            # `def name(...) -> T:` becomes `def name():`, its other lines empty
            pieces.append(text[last:parameters])
            pieces.append("():")
            pieces.append(text[colon:body_start - 1])
            pieces.append("\n" * (text.count("\n", parameters, colon) + 1))
        pieces.append(" " * (indent + 1) + "..." + "\n" * text.count("\n", body_start, body_end))
        last = body_end
    pieces.append(text[last:])
    return Outline("".join(pieces)[1:], stubs)


def _add_methods(text: str, start: int, regions: list[_Region]) -> int:
    """The methods of the top-level class starting at ``start``; returns where the class ends."""
    length = len(text)
    header = _header_end(text, start)
    if header is None:
        return start
    body_start = header[1]
    # (the patterns start at a newline: search from the one that ends the header)
    after = _next_statement(0).search(text, body_start - 1)
    end = after.start() + 1 if after is not None else length
    first = _NEXT_LINE.search(text, body_start - 1, end)
    if first is None or not first.group(1):
        return end - 1  # a body on the header line
    indent = len(first.group(1))
    position = body_start - 1
    while True:
        found = _DEF_OR_CLASS.search(text, position, end)
        if found is None:
            break
        if len(found.group(1)) == indent and found.group(2):
            region_end = _add_region(text, found.start() + 1, indent, regions)
            if region_end is not None:
                position = region_end - 1
                continue
        position = found.end()
    return end - 1


def _add_region(text: str, start: int, indent: int, regions: list[_Region]) -> int | None:
    """Blank the body of the def starting at ``start`` (indented ``indent``) when it can be, and shrink its
    header to ``name():``; returns the end of the blanked region."""
    header = _header_end(text, start)
    if header is None:
        return None
    colon, body_start = header
    after = _next_statement(indent).search(text, body_start - 1)
    body_end = after.start() + 1 if after is not None else len(text)
    if body_end <= body_start:
        return None
    if _KEEP_BODY.search(text, body_start, body_end) is not None:
        return None
    # Nothing reads the parameters, annotations and defaults of a function without a body (they only
    # matter to the code inside it), so they are left out too; but a `:=` there binds a name of the module.
    name = _DEF_NAME.match(text, start)
    parameters = name.end() if name is not None and text.find(":=", name.end(), colon) < 0 else -1
    regions.append((start, parameters, colon, body_start, body_end, indent))
    return body_end


def _header_end(text: str, start: int) -> tuple[int, int] | None:
    """For the def or class whose header starts at ``start``: the position just past the header's colon, and
    where the body begins (the line after it). None when the body starts on the header line, or the header
    cannot be read."""
    line_end = text.find("\n", start)
    if line_end < 0:
        return None
    line = text[start:line_end].rstrip()
    # The common case: a whole header on one line, ending in its colon, with no string, comment or lambda
    # that could hide or add a colon or a bracket. A colon at the end of a line whose brackets balance ends
    # the header: a compound statement (the only kind ending in a colon) cannot follow it on that line.
    if (line.endswith(":") and "'" not in line and '"' not in line and "#" not in line
            and "lambda" not in line and line.count("(") == line.count(")")
            and line.count("[") == line.count("]") and line.count("{") == line.count("}")):
        colon = start + len(line)
    else:
        colon = _header_colon(text, start) or -1
    if colon < 0:
        return None
    line_end = text.find("\n", colon)
    if line_end < 0:
        return None
    rest = text[colon:line_end].strip()
    if rest and not rest.startswith("#"):
        return None  # `def f(): return 1`
    return colon, line_end + 1


def _header_colon(text: str, start: int) -> int | None:
    """The position just past the colon that ends the header starting at ``start``."""
    depth = 0
    for token in _HEADER_TOKENS.finditer(text, start):
        value = token.group()
        if value in "([{":
            depth += 1
        elif value in ")]}":
            depth -= 1
        elif value == ":" and depth == 0:
            return token.end()
        elif value == "lambda" and depth == 0:
            return None  # `-> lambda: ...`: a colon that is not the header's
    return None


def verify(tree: ast.Module, stubs: dict[int, int]) -> frozenset[ast.AST] | None:
    """The blanked functions of an outline's tree, or None when the tree is not the outline's intended
    shape: each blanked def must be a top-level function or a method of a top-level class, found at its
    line, whose whole body is the ``...`` put on its stub line."""
    defs: dict[int, ast.FunctionDef | ast.AsyncFunctionDef] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            defs[node.lineno] = node
        elif isinstance(node, ast.ClassDef):
            for member in node.body:
                if isinstance(member, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    defs[member.lineno] = member
    blanked: list[ast.AST] = []
    for line, stub_line in stubs.items():
        function = defs.get(line)
        if function is None or len(function.body) != 1:
            return None
        stub = function.body[0]
        if not (isinstance(stub, ast.Expr) and isinstance(stub.value, ast.Constant)
                and stub.value.value is Ellipsis and stub.lineno == stub_line):
            return None
        blanked.append(function)
    return frozenset(blanked)
