"""The checker never takes flake8 down and the fixer never corrupts a file: generated programs, pathological
inputs, every syntax of the running Python, a rule that raises.

The property tests ("fuzz") run a bounded number of examples in the normal suite. The longer run is the same
tests with more examples, chosen by an environment variable:

    APF_FUZZ_EXAMPLES=2000 python -m pytest -q tests/test_robustness.py -k fuzz

The stdlib / installed-packages run and the 10 MB file are in tests/test_robustness_corpus.py (marked slow).
"""

from __future__ import annotations

import ast
import os
import sys
import tempfile
import textwrap
import warnings
from collections.abc import Callable
from pathlib import Path

import hypothesmith
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flake8_async_pitfalls import checker, cli
from flake8_async_pitfalls.checker import check_tree
from flake8_async_pitfalls.fixes import fix_file
from flake8_async_pitfalls.fixes.engine import _compiles  # the fixer's own test: the same verdict
from flake8_async_pitfalls.fixes.files import TOO_DEEP
from flake8_async_pitfalls.rules.base import Finding
from flake8_async_pitfalls.rules.blocking import BlockingSleep
from flake8_async_pitfalls.rules.unawaited import UnawaitedCoroutine
from flake8_async_pitfalls.settings import Settings

FUZZ_EXAMPLES = int(os.environ.get("APF_FUZZ_EXAMPLES", "0")) or None
SETTINGS = Settings()


def _fuzz(default: int) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Hypothesis settings of a property test: ``default`` examples, or APF_FUZZ_EXAMPLES when set."""
    return settings(max_examples=FUZZ_EXAMPLES or default, deadline=None, suppress_health_check=list(HealthCheck))


def _parse(source: str) -> ast.Module | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None  # flake8 reports what does not parse (E999); the plugin never sees it


def _internal_errors(findings: list[Finding]) -> list[str]:
    return [f.message for f in findings if f.code == "APF000"]


def _assert_fix_is_sound(source: str) -> None:
    """Fixing (unsafe fixes included) either refuses cleanly or gives code that parses (and compiles when
    the original did), that lints without an internal error, and that a second fix leaves unchanged."""
    try:
        data = source.encode("utf-8")
    except UnicodeEncodeError:
        return  # a lone surrogate: no file holds this text
    with tempfile.TemporaryDirectory(prefix="apf-fuzz-") as directory:
        path = Path(directory) / "generated.py"
        path.write_bytes(data)
        first = fix_file(path, SETTINGS, unsafe=True)
        if first.error is not None:
            assert "Traceback" not in first.error and "\n" not in first.error
            assert path.read_bytes() == data  # refused: left as it was
            return
        fixed = path.read_bytes().decode("utf-8")  # line endings as they are
        assert fixed == first.new_text
        tree = _parse(fixed)
        assert tree is not None or _parse(source) is None, f"the fix broke parsing:\n{fixed}"
        if _compiles(source):
            assert _compiles(fixed), f"the fix broke compiling:\n{fixed}"
        if tree is not None:
            assert _internal_errors(check_tree(tree, str(path), fixed.splitlines(keepends=True))) == []
        second = fix_file(path, SETTINGS, unsafe=True)
        assert not second.changed and not second.applied, f"a second fix changed:\n{fixed}"


# -- property tests ("fuzz") ---------------------------------------------------------------------------------

def _assert_checked_cleanly(source: str) -> None:
    """Every rule runs on the program (when it parses) without an internal error."""
    tree = _parse(source)
    if tree is not None:
        assert _internal_errors(check_tree(tree, "generated.py", source.splitlines(keepends=True))) == []


@_fuzz(60)
@given(hypothesmith.from_grammar())
def test_fuzz_grammar_programs_never_crash_a_rule(source: str) -> None:
    _assert_checked_cleanly(source)


@_fuzz(30)
@given(hypothesmith.from_node())
def test_fuzz_node_programs_never_crash_a_rule(source: str) -> None:
    _assert_checked_cleanly(source)


@_fuzz(30)
@given(hypothesmith.from_grammar())
def test_fuzz_fixing_grammar_programs_is_sound(source: str) -> None:
    _assert_fix_is_sound(source)


# Programs made of pitfalls (every fixable rule's, and some others') nested in the statements that change
# what a fix may do: generated text rarely holds a pitfall, these always do.
_HEADER = '''\
import asyncio
import hashlib
import subprocess
import time

import requests


async def fetch(n=0):
    return n


async def numbers():
    yield 1


def helper():
    time.sleep(1)


'''
_PITFALLS = (
    "time.sleep({n})",
    "fetch({n})",
    "value{n} = fetch({n})",
    "if fetch({n}):\n    pass",
    "asyncio.gather([fetch({n}), fetch()])",
    "requests.get('http://localhost/{n}')",
    "subprocess.run(['true'], check=False)",
    "open('data{n}.txt').read()",
    "input()",
    "helper()",
    "asyncio.run(fetch({n}))",
    "asyncio.get_event_loop()",
    "asyncio.create_task(fetch({n}))",
    "with asyncio.Lock():\n    pass",
    "for item in numbers():\n    print(item)",
    "hashlib.pbkdf2_hmac('sha256', b'pw', b'salt', 100000)",
    "await fetch({n})",
    "total = sum(i * i for i in range(10 ** 7))",
    "x{n} = lambda: time.sleep({n})",
    "print(time.sleep({n}), fetch({n}))",
    "return await asyncio.sleep({n})",
)
_BLOCKS = (
    "if flag:\n{body}",
    "if flag:\n    pass\nelse:\n{body}",
    "for i in range(3):\n{body}",
    "while flag:\n{body}\n    break",
    "try:\n{body}\nexcept Exception:  # keep going\n    pass",
    "try:\n    pass\nfinally:\n{body}",
    "with open('log.txt') as log:\n{body}",
    "async with asyncio.timeout(1):\n{body}",
    "async for chunk in numbers():\n{body}",
    "def inner{n}():\n{body}",
    "async def inner{n}():\n{body}",
    "class Inner{n}:\n{body}",
    "match flag:\n    case 1 | 2:\n{inner}\n    case _:\n        pass",
)


def _indent(text: str) -> str:
    return textwrap.indent(text, "    ")


@st.composite
def _statements(draw: st.DrawFn, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 3))):
        n = draw(st.integers(0, 9))
        if depth < 3 and draw(st.booleans()):
            block = draw(st.sampled_from(_BLOCKS))
            body = _indent(draw(_statements(depth + 1)))
            parts.append(block.replace("{n}", str(n)).replace("{body}", body).replace("{inner}", _indent(body)))
        else:
            parts.append(draw(st.sampled_from(_PITFALLS)).format(n=n))
    return "\n".join(parts)


@st.composite
def pitfall_programs(draw: st.DrawFn) -> str:
    functions = []
    for index in range(draw(st.integers(1, 3))):
        keyword = draw(st.sampled_from(["async def", "def", "async def"]))
        decorator = draw(st.sampled_from(["", "@staticmethod\n", "@decorators[0].wrap(x=1)\n"]))
        body = _indent(draw(_statements()))
        functions.append(f"{decorator}{keyword} function{index}(flag, *args, key=None, **kwargs):\n{body}\n")
    return _HEADER + "\n\n".join(functions)


@_fuzz(40)
@given(pitfall_programs())
def test_fuzz_fixing_pitfall_programs_is_sound(source: str) -> None:
    _assert_checked_cleanly(source)
    _assert_fix_is_sound(source)


# -- every syntax of the supported Pythons -------------------------------------------------------------------

_SYNTAX: list[tuple[tuple[int, int], str, str]] = [
    ((3, 10), "match", '''
        async def main(command):
            match command:
                case {"go": [x, *rest]} if x > 0:
                    time.sleep(x)
                case Point(x=0, y=y) | [_, y]:
                    print(y)
                case str() as text:
                    print(text)
                case _:
                    pass
    '''),
    ((3, 10), "walrus", '''
        async def main(items):
            if (n := len(items)) > 1:
                time.sleep(n)
            print([y for x in items if (y := x * 2)])
    '''),
    ((3, 10), "positional-only and keyword-only parameters", '''
        async def main(a, b=1, /, c=2, *args, d, e=3, **kwargs):
            time.sleep(a)

        lambda a, /, b, *, c: a
    '''),
    ((3, 10), "decorators of any expression", '''
        @buttons[0].clicked.connect
        @(lambda f: f)
        @registry.get("x") or (lambda f: f)
        async def main():
            time.sleep(1)
    '''),
    ((3, 10), "parenthesized context managers", '''
        async def main():
            with (open("a") as a, open("b") as b):
                time.sleep(1)
            async with (lock_a, lock_b):
                pass
    '''),
    ((3, 10), "async comprehensions, global and nonlocal", '''
        counter = 0


        async def main(source):
            global counter
            total = 0

            async def inner():
                nonlocal total
                total += 1
                time.sleep(1)

            values = [x async for x in source if await x]
            return {k: v for k, v in zip(values, values)}, {x for x in values}, (x for x in values)
    '''),
    ((3, 10), "f-strings and star expressions", '''
        async def main(a, *b, **c):
            print(f"{a=} {a!r:>{10}} {'nested'}")
            first, *middle, last = a
            time.sleep(1)
            return *b, *middle
    '''),
    ((3, 11), "except*", '''
        async def main():
            try:
                time.sleep(1)
            except* (ValueError, TypeError) as group:
                print(group.exceptions)
            except* OSError:
                pass
    '''),
    ((3, 11), "star in subscripts and in *args annotations", '''
        def variadic(*args: *Ts) -> tuple[*Ts]:
            return args


        async def main(matrix, idx):
            time.sleep(matrix[*idx])
    '''),
    ((3, 12), "PEP 695 type statements and generics", '''
        type Pair[T] = tuple[T, T]
        type Alias = list[int]


        class Box[T: int, *Ts, **P]:
            def get[U](self, default: U) -> T | U:
                return default


        async def main[T](value: T) -> T:
            time.sleep(1)
            return value
    '''),
    ((3, 12), "PEP 701 f-strings", '''
        async def main(words):
            print(f"{", ".join(words)} {f"{words[0]}"} {f'{"deep"}'}")
            time.sleep(1)
    '''),
    ((3, 13), "type parameter defaults", '''
        type Pair[T = int] = tuple[T, T]


        class Box[T = str]:
            pass


        async def main[T = bytes](value: T) -> T:
            time.sleep(1)
            return value
    '''),
]


def _syntax_source(snippet: str) -> str:
    return "import time\n\n\n" + textwrap.dedent(snippet).lstrip("\n")


@pytest.mark.parametrize(("version", "name", "snippet"), _SYNTAX, ids=[name for _, name, _ in _SYNTAX])
def test_every_syntax_of_this_python_is_checked_and_fixed(version: tuple[int, int], name: str, snippet: str,
                                                          tmp_path: Path) -> None:
    if sys.version_info < version:
        pytest.skip(f"{name} needs Python {version[0]}.{version[1]}")
    source = _syntax_source(snippet)
    tree = ast.parse(source)
    findings = check_tree(tree, "syntax.py", source.splitlines(keepends=True))
    assert _internal_errors(findings) == []
    assert "APF201" in {f.code for f in findings}  # the rules still see the code inside the new syntax
    _assert_fix_is_sound(source)


def test_the_syntax_table_covers_every_supported_python() -> None:
    assert {version for version, _, _ in _SYNTAX} == {(3, 10), (3, 11), (3, 12), (3, 13)}


# -- pathological inputs -------------------------------------------------------------------------------------

@pytest.mark.parametrize("source", [
    "async def f():\n" + "".join("    " * (i + 1) + "if x:\n" for i in range(95)) + "    " * 96 + "pass\n",
    "async def f():\n    return " + "f(" * 150 + ")" * 150 + "\n",
    "import time\n" + "".join(f"s{i} = s{i - 1}\n" if i else "s0 = time.sleep\n" for i in range(3000))
    + "async def f():\n    s2999(1)\n",
    "".join(f"async def f{i}():\n    g{i}()\n" for i in range(3000)),
    "async def f():\n\tfor i in range(10**1000):\n\t\tpass\n",
    "class C:\n    x = y = z = 1\n    def m(self, *, a=lambda: (yield), **k): ...\n",
    # a name (or self attribute) rebound from itself many times: inference cuts the cycle (it was exponential)
    "async def names(code):\n" + "".join(f"    code = code.replace('{i}', 'x')\n" for i in range(40))
    + "    code.strip()\n\n\nclass Marker:\n    def __init__(self, path):\n        self.path = path\n\n"
    + "".join(f"    def step{i}(self):\n        self.path = self.path.transformed({i})\n\n" for i in range(40))
    + "    async def run(self):\n        self.path.close()\n",
], ids=["deep-blocks", "deep-calls", "alias-chain", "many-functions", "tabs-and-huge-constant", "odd-class",
        "self-rebinding"])
def test_pathological_inputs_are_checked_normally(source: str) -> None:
    tree = ast.parse(source)
    findings = check_tree(tree, "odd.py", source.splitlines(keepends=True))
    assert _internal_errors(findings) == []


# expressions nested thousands of levels deep: Python 3.10 parses all of these, 3.11+ stops some with a
# RecursionError ("during ast construction") or a MemoryError ("too complex"), others with a SyntaxError
_DEEP = {
    "attribute-chain": lambda depth: "a" + ".b" * depth,
    "call-chain": lambda depth: "a" + "()" * depth,
    "subscript-chain": lambda depth: "a" + "[0]" * depth,
    "binary-operators": lambda depth: "+".join(["a"] * depth),
    "boolean-operators": lambda depth: " and ".join(["a"] * depth),
    "unary-operators": lambda depth: "-" * depth + "1",
    "nested-lambdas": lambda depth: "lambda: " * depth + "1",
    "nested-conditionals": lambda depth: "a if b else " * depth + "c",
    "nested-lists": lambda depth: "[" * depth + "]" * depth,
}


def _deep_program(kind: str, depth: int) -> str:
    expr = _DEEP[kind](depth)
    return (f"import asyncio\nimport time\n\n\nasync def main():\n    value = {expr}\n    time.sleep(value)\n"
            "    asyncio.get_event_loop()\n")


@pytest.mark.parametrize("depth", [1000, 5000, 50_000])
@pytest.mark.parametrize("kind", sorted(_DEEP))
def test_code_nested_thousands_deep_is_checked_or_skipped_with_one_message(
        kind: str, depth: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    source = _deep_program(kind, depth)
    path = tmp_path / "deep.py"
    path.write_text(source, encoding="utf-8")
    tree = _parse(source)
    if tree is not None:  # what flake8 would hand the plugin
        assert _internal_errors(check_tree(tree, str(path), source.splitlines(keepends=True))) == []
    monkeypatch.chdir(tmp_path)
    status = cli.main(["check", "--isolated", "deep.py"])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and "internal error" not in out + err
    if status == 2:  # skipped: one clear line
        assert err.splitlines() == [
            "flake8-async-pitfalls: deep.py: cannot check: the code is nested too deeply for Python's parser"]
    else:  # checked: the pitfalls after the deep line are found (or, past the parser's limits, one E999)
        assert status == 1 and err == ""
        codes = [line.split()[1] for line in out.splitlines()]
        assert codes == ["E999"] or {"APF201", "APF404"} <= set(codes), out


@pytest.mark.parametrize("kind", ["attribute-chain", "binary-operators", "nested-lambdas"])
def test_fixing_code_nested_thousands_deep_refuses_cleanly(kind: str, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    deep = tmp_path / "deep.py"
    deep.write_text(_deep_program(kind, 2500), encoding="utf-8")
    before = deep.read_bytes()
    other = tmp_path / "other.py"
    other.write_text("import time\n\n\nasync def main():\n    time.sleep(1)\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    status = cli.main(["fix", "--isolated", "--unsafe-fixes", "."])
    out, err = capsys.readouterr()
    assert deep.read_bytes() == before
    assert "await asyncio.sleep(1)" in other.read_text(encoding="utf-8")  # the other file is still fixed
    assert "Traceback" not in out + err and "internal error" not in out + err
    if status == 2:
        assert len(err.splitlines()) == 1 and err.startswith("flake8-async-pitfalls: ./deep.py: ")
        assert TOO_DEEP in err or "nested too deeply" in err
    else:  # past the parser's limits: not a Python file to fix, one E999 finding
        assert status == 1 and "./deep.py:" in out and " E999 " in out


_ODD_FILES: dict[str, bytes] = {
    "bom-crlf": b"\xef\xbb\xbfimport time\r\n\r\n\r\nasync def main():\r\n    time.sleep(1)\r\n",
    "cr-only": b"import time\r\r\rasync def main():\r    time.sleep(1)\r",
    "mixed-newlines": b"import time\n\r\n\rasync def main():\r\n    time.sleep(1)\n",
    "no-final-newline": b"import time\n\n\nasync def main():\n    time.sleep(1)",
    "latin-1-without-cookie": b"import time\n\n\nasync def main():\n    time.sleep(1)  # d\xe9j\xe0\n",
    "latin-1-cookie": b"# -*- coding: latin-1 -*-\nimport time\n\n\nasync def main():\n    time.sleep(1)  # \xe9\n",
    "unknown-cookie": b"# -*- coding: no-such-codec -*-\nimport time\n\n\nasync def main():\n    time.sleep(1)\n",
    "nul-bytes": b"import time\n\n\nasync def main():\n    time.sleep(1)\n\x00\x00\n",
    "tabs": b"import time\n\n\nasync def main():\n\tif True:\n\t\ttime.sleep(1)\n",
    "tabs-and-spaces": b"import time\n\n\nasync def main():\n\tif True:\n        \ttime.sleep(1)\n",
    "form-feed": b"import time\n\x0c\n\nasync def main():\n    \x0ctime.sleep(1)\n",
    "unicode-names": "import time\n\n\nasync def h\u00e9llo():\n    \u00e9t\u00e9 = 1\n    time.sleep(\u00e9t\u00e9)\n"
                     .encode(),
    "only-a-bom": b"\xef\xbb\xbf",
    "empty": b"",
    "comment-only": b"# nothing here\n",
    "long-line": b"import time\n\n\nasync def main():\n    x = [" + b"1, " * 20_000 + b"]\n    time.sleep(1)\n",
    "binary-garbage": bytes(range(256)) * 8,
}


@pytest.mark.parametrize("name", sorted(_ODD_FILES))
def test_odd_files_are_checked_and_fixed_or_left_alone(name: str, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    data = _ODD_FILES[name]
    path = tmp_path / "odd.py"
    path.write_bytes(data)
    monkeypatch.chdir(tmp_path)
    status = cli.main(["check", "--isolated", "odd.py"])
    out, err = capsys.readouterr()
    assert status in (0, 1) and err == "", err  # E999 (does not parse) is a finding, not an error
    assert "APF000" not in out
    codes = {line.split()[1] for line in out.splitlines()}
    assert codes <= {"APF201", "E999"}

    status = cli.main(["fix", "--isolated", "--unsafe-fixes", "odd.py"])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and "internal error" not in err
    after = path.read_bytes()
    if after == data:  # left alone: with a finding or a one-line reason
        assert status in (0, 1, 2) and len(err.splitlines()) <= 1
    else:  # fixed: same encoding, BOM and line endings, and the result still parses
        assert status in (0, 1) and err == ""
        assert b"await asyncio.sleep(" in after
        assert after.startswith(b"\xef\xbb\xbf") == data.startswith(b"\xef\xbb\xbf")
        assert after.count(b"\r\n") >= data.count(b"\r\n")
        assert after.replace(b"\r\n", b"").count(b"\r") >= data.replace(b"\r\n", b"").count(b"\r")
        assert _compiles(after.decode("latin-1" if b"latin-1" in data else "utf-8").lstrip("\ufeff"))


# -- a rule, or the analysis, that raises --------------------------------------------------------------------

def test_a_rule_that_raises_becomes_one_apf000_and_the_others_still_run(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> None:
        raise ValueError("boom")

    monkeypatch.setattr(BlockingSleep, "check_call", broken)
    source = ("import time\nasync def fetch(): ...\nasync def main():\n    time.sleep(1)\n    fetch()\n"
              "    time.sleep(2)\n    time.sleep(3)\n")
    findings = check_tree(ast.parse(source), "x.py", ())
    errors = [f for f in findings if f.code == "APF000"]
    assert len(errors) == 1 and "APF201" in errors[0].message and "boom" in errors[0].message
    assert "ValueError" in errors[0].message
    assert any(f.code == UnawaitedCoroutine.code for f in findings)


def test_an_analysis_that_raises_becomes_one_apf000(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> None:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(checker, "_walk", broken)
    findings = check_tree(ast.parse("import time\nasync def main():\n    time.sleep(1)\n"), "x.py", ())
    assert [(f.line, f.code) for f in findings] == [(1, "APF000")]
    assert "while analysing the file" in findings[0].message and "RecursionError" in findings[0].message


_BROKEN_RULE_FLAKE8 = """
import sys
from flake8.main.cli import main
from flake8_async_pitfalls.rules.blocking import BlockingSleep


def broken(*args):
    raise KeyError("boom")


BlockingSleep.check_call = broken
sys.exit(main(sys.argv[1:]))
"""


def test_flake8_goes_on_over_files_when_a_rule_raises(tmp_path: Path) -> None:
    """Under flake8 itself: one APF000 per file naming the rule and the exception, the other rules' findings,
    every file checked, flake8's usual exit status 1 (no crash, no traceback)."""
    import subprocess

    source = "import time\n\n\nasync def fetch(): ...\n\n\nasync def main():\n    time.sleep(1)\n    fetch()\n"
    for name in ("a.py", "b.py"):
        (tmp_path / name).write_text(source, encoding="utf-8")
    result = subprocess.run([sys.executable, "-c", _BROKEN_RULE_FLAKE8, "--isolated", "--select", "APF", "-j1",
                             "a.py", "b.py"], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                            stdin=subprocess.DEVNULL)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    lines = result.stdout.splitlines()
    for name in ("a.py", "b.py"):
        errors = [line for line in lines if line.startswith(f"{name}:") and " APF000 " in line]
        assert len(errors) == 1 and "APF201" in errors[0] and "KeyError" in errors[0] and "boom" in errors[0]
        assert any(line.startswith(f"{name}:9:5: APF101 ") for line in lines)


def test_a_check_leaves_no_cyclic_garbage() -> None:
    """The check pauses the cyclic garbage collector and relies on its structures being freed by reference
    counting when it returns (FileContext.release): nothing it made may be left for the collector."""
    import gc

    from flake8_async_pitfalls.checker import check_tree

    fixtures = Path(__file__).resolve().parent.parent / "fixtures"
    for path in sorted(fixtures.glob("APF[0-9][0-9][0-9].py")):
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        check_tree(tree, str(path), source.splitlines(keepends=True))  # module-level memo tables filled
        gc.collect()
        gc.disable()
        try:
            findings = check_tree(tree, str(path), source.splitlines(keepends=True))
            left = gc.collect()
        finally:
            gc.enable()
        assert findings, path.name
        assert left == 0, f"{path.name}: the check left {left} objects in reference cycles"
    assert gc.isenabled()
