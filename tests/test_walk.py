"""The walk reads only the fields of a node that can hold child nodes: the others are dropped by the types
the grammar gives them (checker._atomic_fields). A field dropped by mistake would hide code from every rule,
so check the table against real parsed code: every field it leaves out never holds a node."""

from __future__ import annotations

import ast
import sysconfig
from pathlib import Path

from flake8_async_pitfalls.checker import _SKIPPED_FIELDS, _atomic_fields, _fields_of

_FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def test_identifier_and_constant_fields_are_left_out() -> None:
    assert _fields_of(ast.Attribute) == ("value",)
    assert _fields_of(ast.arg) == ("annotation",)
    assert "name" not in _fields_of(ast.FunctionDef)
    assert _fields_of(ast.Constant) == ()
    assert _fields_of(ast.Call) == ("func", "args", "keywords")


def test_the_grammar_types_are_read_on_this_python() -> None:
    # the signatures in the docstrings parse here: each class with an identifier field gets it left out
    for node_type, field in [(ast.Name, "id"), (ast.Attribute, "attr"), (ast.alias, "name"), (ast.keyword, "arg"),
                             (ast.ClassDef, "name"), (ast.ImportFrom, "module"), (ast.Global, "names"),
                             (ast.Constant, "value"), (ast.FormattedValue, "conversion")]:
        assert field in _atomic_fields(node_type), node_type.__name__


def test_a_left_out_field_never_holds_a_node() -> None:
    sources = sorted(_FIXTURES.glob("*.py"))
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    sources += sorted(stdlib.glob("*.py"))[:120] + sorted((stdlib / "asyncio").glob("*.py"))
    checked = 0
    for path in sources:
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError, ValueError):
            continue
        for node in ast.walk(tree):
            kept = _fields_of(type(node))
            for name in node._fields:
                if name in kept or name in _SKIPPED_FIELDS:
                    continue
                value = getattr(node, name, None)
                values = value if isinstance(value, list) else [value]
                assert not any(isinstance(v, ast.AST) for v in values), (path, type(node).__name__, name)
                checked += 1
    assert checked > 10_000


def test_calls_reach_only_the_hooks_their_method_name_allows_and_every_call_is_queued() -> None:
    from flake8_async_pitfalls.checker import analyze, build_dispatch
    from flake8_async_pitfalls.rules.base import Rule, method_names
    from flake8_async_pitfalls.settings import Settings

    seen: dict[str, list[str]] = {"limited": [], "any": []}

    def named(node: ast.AST) -> str:
        assert isinstance(node, ast.Call)
        return ast.unparse(node.func)

    class Limited(Rule):
        code = "APF998"

        def hooks(self) -> dict[type[ast.AST], object]:
            return {ast.Call: self.check}

        @method_names(frozenset({"gather"}))
        def check(self, ctx: object, node: ast.AST, parent: object, scope: object) -> None:
            seen["limited"].append(named(node))

    class Unlimited(Rule):
        code = "APF999"

        def hooks(self) -> dict[type[ast.AST], object]:
            return {ast.Call: self.check}

        def check(self, ctx: object, node: ast.AST, parent: object, scope: object) -> None:
            seen["any"].append(named(node))

    source = "import asyncio\nfrom asyncio import gather as g\nasyncio.gather(a.b())\ng()\nx.y.z()\nprint(1)\n"
    tree = ast.parse(source)
    dispatch = build_dispatch([Limited(), Unlimited()])
    ctx = analyze(tree, "m.py", (), Settings(), dispatch)
    for hooks, node, parent, scope in ctx.queue:
        for _rule, hook in hooks:
            hook(ctx, node, parent, scope)
    # a method call reaches the limited hook only by a name it allows; a plain name may be an alias: always
    assert seen["limited"] == ["asyncio.gather", "g", "print"]
    assert seen["any"] == ["asyncio.gather", "a.b", "g", "x.y.z", "print"]
    # every call is queued, hooks or not: the project summaries and the CPU rule read calls from the queue
    assert sum(isinstance(entry[1], ast.Call) for entry in ctx.queue) == 5
