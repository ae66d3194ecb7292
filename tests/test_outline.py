"""Outlines of project modules (analysis/outline.py): what they blank, what they keep, when they give up, and
that a summary made from one never says anything the whole module would not."""

from __future__ import annotations

import ast
import os
import sysconfig
import textwrap
import tokenize
import warnings
from pathlib import Path

import hypothesmith
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flake8_async_pitfalls.analysis.outline import outline, verify
from flake8_async_pitfalls.analysis.project import ModuleSummary, ProjectIndex, _summary_from_outline
from flake8_async_pitfalls.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = Settings(project=False, cache=False)
FUZZ_EXAMPLES = int(os.environ.get("APF_FUZZ_EXAMPLES", "0")) or None


def _outlined(source: str) -> tuple[str, frozenset[int]]:
    """The outline's text and the lines of the functions it blanked (and that verify accepts)."""
    made = outline(source)
    assert made is not None
    blanked = verify(ast.parse(made.source), made.stubs)
    assert blanked is not None
    return made.source, frozenset(getattr(node, "lineno", 0) for node in blanked)


def test_bodies_are_blanked_line_for_line() -> None:
    source = textwrap.dedent('''\
        import time

        @decorate(when="x:y")
        async def fetch(url: str = "(", *, retries: int = 3) -> bytes:
            """Docstring."""
            time.sleep(1)
            return b""

        class Client(Base):
            timeout: float = 1.0

            def get(
                self,
                key: dict[str, int],
            ) -> None:
                print(key)

            async def put(self): pass
        ''')
    text, blanked = _outlined(source)
    assert blanked == {4, 12}  # put's body is on its header line: nothing to blank
    assert text.count("\n") == source.count("\n")
    lines = text.splitlines()
    # decorators stay; a blanked function's header keeps only its name (nothing reads the parameters of
    # a function without a body), its other lines empty
    assert lines[2] == '@decorate(when="x:y")' and lines[3] == "async def fetch():"
    assert lines[4] == " ..." and lines[5] == lines[6] == ""
    assert lines[8] == "class Client(Base):" and lines[9] == "    timeout: float = 1.0"
    assert lines[11] == "    def get():" and lines[12] == lines[13] == lines[14] == "" and lines[15] == "     ..."
    assert lines[17] == "    async def put(self): pass"
    assert "time.sleep" not in text and "print" not in text
    tree = ast.parse(text)
    assert [n.lineno for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))] == [4, 12, 18]


def test_a_header_with_a_walrus_is_kept_whole() -> None:
    source = "def f(x=(limit := 10)):\n    return x\n\ndef g(y: int = 2) -> int:\n    return y\n"
    text, blanked = _outlined(source)
    assert blanked == {1, 4}
    assert text.splitlines()[0] == "def f(x=(limit := 10)):" and text.splitlines()[3] == "def g():"


@pytest.mark.parametrize("body", ["yield 1", "x = yield", "global counter\n    counter = 1", "nonlocal x"])
def test_bodies_that_make_generators_or_bind_module_names_are_kept(body: str) -> None:
    source = f"def kept():\n    {body}\n\ndef blanked():\n    return 1\n"
    text, blanked = _outlined(source)
    blanked_line = source.splitlines().index("def blanked():") + 1
    assert blanked == {blanked_line} and body.splitlines()[0] in text


@pytest.mark.parametrize("source", [
    "def f():\n\treturn 1\n",  # tabs: columns would need the tokenizer's rules
    "def f():\n \f return 1\n",
    "x = 1\n",  # nothing to blank
    "def f(): return 1\n",
    "def f() -> lambda: 0: return 1\n",
])
def test_no_outline_when_it_cannot_be_made_with_confidence_or_would_not_help(source: str) -> None:
    assert outline(source) is None


def test_nested_functions_and_blocks_are_kept_whole() -> None:
    source = textwrap.dedent('''\
        if True:
            def in_block():
                return 1

        class Outer:
            class Inner:
                def deep(self):
                    return 2

            def method(self):
                def nested():
                    return 3
                return nested
        ''')
    text, blanked = _outlined(source)
    assert blanked == {10}
    assert "return 1" in text and "return 2" in text and "return 3" not in text


@pytest.mark.parametrize("source", [
    # a string whose lines sit at column 0 ends a body too early: the fragment does not parse
    'def f():\n    x = """\nend of text\n"""\n    return x\n',
    # brackets continued at column 0
    "def f():\n    return g(\n1)\n\ndef h():\n    return 2\n",
    # a `def` inside a module docstring: blanked text inside the string, and no def at that line
    '"""\ndef example():\n    print("in the docs")\nend\n"""\n\ndef real():\n    return 1\n',
])
def test_a_mistaken_body_end_is_caught_and_the_module_read_whole(source: str, tmp_path: Path) -> None:
    made = outline(source)
    assert made is not None
    try:
        tree = ast.parse(made.source)
    except SyntaxError:
        pass
    else:
        assert verify(tree, made.stubs) is None
    module = tmp_path / "mod.py"
    module.write_text(source)
    assert _summary_from_outline(str(module), source, SETTINGS) is None
    assert ProjectIndex()._build(str(module), SETTINGS) is not None  # read whole instead


def test_a_decorator_defined_in_the_module_needs_its_body(tmp_path: Path) -> None:
    source = textwrap.dedent('''\
        import functools

        def wrap(fn):
            @functools.wraps(fn)
            def inner(*args):
                return fn(*args)
            return inner

        @wrap
        async def fetch():
            return 1
        ''')
    module = tmp_path / "mod.py"
    module.write_text(source)
    # `wrap` has no yield and binds nothing global: the outline blanks it, and classifying the decorator of
    # `fetch` then asks for that body, so the module is read whole
    assert 3 in _outlined(source)[1]
    assert _summary_from_outline(str(module), source, SETTINGS) is None
    whole = ProjectIndex()._build(str(module), SETTINGS)
    assert whole is not None and whole.functions["mod.fetch"][1] == "coroutine function"


def test_instance_attributes_of_a_class_with_blanked_methods_need_the_bodies(tmp_path: Path) -> None:
    source = textwrap.dedent('''\
        class Registry:
            def __init__(self):
                self.hooks = Hooks()

            def plain(self):
                return 1

        registry = Registry()

        @registry.hooks.register
        async def handler():
            return 1
        ''')
    module = tmp_path / "mod.py"
    module.write_text(source)
    assert _outlined(source)[1] == {2, 5, 11}
    assert _summary_from_outline(str(module), source, SETTINGS) is None


# -- a summary made from an outline agrees with the whole module --------------------------------------------

def _agrees(path: str, source: str) -> bool:
    """Check the outline's summary against the whole module's; False when no outline summary is made."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # invalid escapes in the module's strings, as in ProjectIndex._build
        outlined = _summary_from_outline(path, source, SETTINGS)
    if outlined is None:
        return False
    whole = ProjectIndex._build(path, SETTINGS, whole=True)
    assert whole is not None, path
    _assert_same_declarations(outlined, whole)
    return True


def _assert_same_declarations(outlined: ModuleSummary, whole: ModuleSummary) -> None:
    assert not outlined.complete and whole.complete
    assert outlined.exports == whole.exports
    for name, function in outlined.functions.items():
        other = whole.functions.get(name)
        assert other is not None, name
        assert function[:4] == other[:4], name
        assert function[4] is None or function[4] == other[4], name
    # what only the whole module has is nested in a function the outline left without its body
    outer = set(outlined.functions)
    for name in set(whole.functions) - outer:
        assert any(name.startswith(f"{function}.") for function in outer), name
    for name, bases in outlined.class_bases.items():
        assert whole.class_bases.get(name) == bases, name
    for name in set(whole.class_bases) - set(outlined.class_bases):
        assert any(name.startswith(f"{function}.") for function in outer), name


def _read(path: Path) -> str | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with tokenize.open(path) as handle:
                source = handle.read()
            ast.parse(source)
    except (SyntaxError, ValueError, UnicodeDecodeError, OSError, RecursionError):
        return None
    return source


def _check_tree_of_modules(paths: list[Path]) -> tuple[int, int]:
    outlined = total = 0
    for path in paths:
        source = _read(path)
        if source is None:
            continue
        total += 1
        outlined += _agrees(str(path), source)
    return outlined, total


def test_fixture_modules_agree() -> None:
    paths = sorted((ROOT / "fixtures").rglob("*.py")) + sorted((ROOT / "flake8_async_pitfalls").rglob("*.py"))
    outlined, total = _check_tree_of_modules(paths)
    assert total > 50 and outlined > total // 2


def _stdlib_modules() -> list[Path]:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    return sorted(p for p in stdlib.rglob("*.py") if "site-packages" not in p.parts)


def test_a_sample_of_the_stdlib_agrees() -> None:
    paths = _stdlib_modules()[::12]
    outlined, total = _check_tree_of_modules(paths)
    assert total > 100 and outlined > total // 2


@pytest.mark.slow
def test_the_whole_stdlib_and_installed_packages_agree() -> None:
    purelib = Path(sysconfig.get_paths()["purelib"])
    paths = _stdlib_modules() + sorted(purelib.rglob("*.py"))
    outlined, total = _check_tree_of_modules(paths)
    assert total > 1000 and outlined > total // 2
    print(f"\n{outlined} of {total} modules summarized from their outline, each agreeing with the whole module")


def _fuzz(default: int) -> settings:
    return settings(max_examples=FUZZ_EXAMPLES or default, deadline=None, suppress_health_check=list(HealthCheck))


@_fuzz(60)
@given(hypothesmith.from_grammar())
def test_fuzz_grammar_programs_agree(tmp_path_factory: pytest.TempPathFactory, source: str) -> None:
    try:
        ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return
    path = tmp_path_factory.mktemp("fuzz") / "mod.py"
    path.write_text(source, encoding="utf-8")
    _agrees(str(path), source)


_DECORATORS = ["", "@staticmethod\n", "@functools.wraps(f)\n", "@helper\n", "@app.get('/x:y')\n"]
_BODIES = [
    "return 1", "time.sleep(1)", "yield 1", "global state\n    state = 1", "return helper()",
    'text = """\nat column 0\n"""', "return f(\n1)", "x = [\n    1,\n]\n    return x",
    "# only a comment\n    pass", "return {'a': (1, [2])}",
]
_HEADERS = ["()", "(self, a: int = 1)", "(\n    self,\n    b: str = ')',\n)", "(x=lambda: 1)", "() -> 'A:B'",
            "(*args, **kwargs) -> dict[str, int]"]


@st.composite
def _modules(draw: st.DrawFn) -> str:
    """Modules with the shapes outlines must get right: decorated defs and methods, multi-line headers,
    strings and brackets at column 0 inside bodies, generators, global statements, nested classes."""
    parts = ["import functools, time\n", "def helper():\n    return 1\n"]
    for index in range(draw(st.integers(1, 5))):
        keyword = draw(st.sampled_from(["def", "async def"]))
        header = draw(st.sampled_from(_HEADERS))
        body = draw(st.sampled_from(_BODIES))
        decorator = draw(st.sampled_from(_DECORATORS))
        function = f"{decorator}{keyword} f{index}{header}:\n    {body}\n"
        if draw(st.booleans()):
            method = textwrap.indent(function, "    ")
            function = f"class C{index}(Base):\n    attr = 1\n{method}"
        parts.append(function)
    return "\n".join(parts)


@_fuzz(150)
@given(_modules())
def test_fuzz_module_shapes_agree(tmp_path_factory: pytest.TempPathFactory, source: str) -> None:
    ast.parse(source)
    path = tmp_path_factory.mktemp("shapes") / "mod.py"
    path.write_text(source, encoding="utf-8")
    _agrees(str(path), source)
