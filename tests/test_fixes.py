"""The autofixes (flake8_async_pitfalls/fixes/): expected outputs, fixed points, and safe file handling.

Fixture outputs: for each rule with a fixer, ``fixtures/APFnnn.fixed.py`` is the expected result of fixing
``fixtures/APFnnn.py``. The mode follows the rule's own fix: a rule whose fix is safe has its fixture fixed
with safe fixes only; a rule whose fix is unsafe has its fixture fixed with unsafe fixes enabled (so every
fix of that file, safe or not, is applied, as ``fix --unsafe-fixes`` would). Fixing a ``.fixed.py`` again in
the same mode changes nothing: the output is a fixed point, so no finding whose fix applies is left. After
a deliberate change to a fixer, regenerate the files with ``python -m tests.test_fixes --write`` and review
the diff.
"""

from __future__ import annotations

import io
import os
import stat
import subprocess
import sys
import textwrap
import tokenize
from collections import Counter
from pathlib import Path

import pytest

from flake8_async_pitfalls.fixes import FIXERS, NEEDS_UNSAFE, FileFixOutcome, FixError, fix_file, fix_source
from flake8_async_pitfalls.fixes import files as fix_files
from flake8_async_pitfalls.fixes.files import lint_text
from flake8_async_pitfalls.rules import ALL_RULES
from flake8_async_pitfalls.rules.base import FixSafety
from flake8_async_pitfalls.settings import Settings
from tests.fixture_markers import read_settings

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
FIXABLE = sorted(code for code in FIXERS if (FIXTURES / f"{code}.py").is_file())
SETTINGS = Settings(project=False)


def _unsafe_mode(code: str) -> bool:
    return FIXERS[code].safety is FixSafety.UNSAFE


def _fix_fixture(path: Path, code: str) -> FileFixOutcome:
    outcome = fix_file(path, read_settings(path), unsafe=_unsafe_mode(code), dry_run=True)
    assert outcome.error is None, outcome.error
    return outcome


def _comments(source: str) -> Counter[str]:
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return Counter(t.string for t in tokens if t.type == tokenize.COMMENT)


def _fix_text(source: str, unsafe: bool = False) -> str:
    """One file's text fixed to convergence, as fix_file does it (through a temporary file)."""
    source = textwrap.dedent(source)
    findings = lint_text(source, "snippet.py", SETTINGS)
    for _ in range(5):
        result = fix_source(source, findings, unsafe=unsafe)
        if not result.applied:
            break
        source = result.source
        findings = lint_text(source, "snippet.py", SETTINGS)
    return source


# -- the fixture outputs ------------------------------------------------------------------------------------

def test_every_fixable_rule_has_a_fixture_output() -> None:
    fixable_rules = [rule.code for rule in ALL_RULES if rule.code in FIXERS]
    assert FIXABLE == sorted(fixable_rules)
    missing = [code for code in FIXABLE if not (FIXTURES / f"{code}.fixed.py").is_file()]
    assert not missing, f"missing fixture outputs (python -m tests.test_fixes --write): {missing}"


@pytest.mark.parametrize("code", FIXABLE)
def test_fixture_output_is_expected(code: str) -> None:
    outcome = _fix_fixture(FIXTURES / f"{code}.py", code)
    expected = (FIXTURES / f"{code}.fixed.py").read_text(encoding="utf-8")
    assert outcome.new_text == expected, f"{code}: regenerate with python -m tests.test_fixes --write and review"
    assert any(f.code == code for f in outcome.applied), f"{code}: no finding of the rule itself was fixed"


@pytest.mark.parametrize("code", FIXABLE)
def test_fixture_output_is_a_fixed_point(code: str) -> None:
    fixed = FIXTURES / f"{code}.fixed.py"
    outcome = _fix_fixture(fixed, code)
    assert outcome.applied == ()
    assert outcome.new_text == fixed.read_text(encoding="utf-8")
    # what is left has a fixer that declined, with its reason, or no fixer at all
    for finding, reason in outcome.skipped:
        assert reason, finding


@pytest.mark.parametrize("code", FIXABLE)
def test_fixes_keep_every_comment(code: str) -> None:
    before = (FIXTURES / f"{code}.py").read_text(encoding="utf-8")
    after = (FIXTURES / f"{code}.fixed.py").read_text(encoding="utf-8")
    assert _comments(before) == _comments(after)


def test_rule_fix_safety_is_derived_from_the_fixers() -> None:
    for rule in ALL_RULES:
        fixer = FIXERS.get(rule.code)
        assert rule.fix_safety is (fixer.safety if fixer is not None else None), rule.code


def test_fixers_declare_safety_and_description() -> None:
    for code, fixer in FIXERS.items():
        assert code in fixer.codes
        assert isinstance(fixer.safety, FixSafety)
        assert fixer.description and fixer.description[0].islower() and not fixer.description.endswith(".")


def test_the_lint_path_does_not_import_libcst() -> None:
    program = (
        "import ast, sys\n"
        "from flake8_async_pitfalls.plugin import Plugin\n"
        "from flake8_async_pitfalls.rules import ALL_RULES\n"
        "tree = ast.parse('import time\\nasync def f():\\n    time.sleep(1)\\n')\n"
        "assert len(list(Plugin(tree, 'x.py').run())) == 1\n"
        "[rule.code for rule in ALL_RULES]\n"
        "print('libcst' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"


# -- fixes in detail ------------------------------------------------------------------------------------

def test_sleep_adds_import_asyncio_after_docstring_and_future_imports() -> None:
    fixed = _fix_text('''\
        """Module docstring."""

        from __future__ import annotations

        import time


        async def main():
            time.sleep(1)
    ''')
    assert fixed == textwrap.dedent('''\
        """Module docstring."""

        from __future__ import annotations

        import asyncio
        import time


        async def main():
            await asyncio.sleep(1)
    ''')


def test_sleep_adds_import_asyncio_before_code_when_there_are_no_imports() -> None:
    fixed = _fix_text('''\
        """Doc."""


        async def main():
            nap(1)


        from time import sleep as nap
    ''')
    assert fixed.startswith('"""Doc."""\n\nimport asyncio\n\n\nasync def main():\n')
    assert "    await asyncio.sleep(1)\n" in fixed
    assert fixed.count("import asyncio") == 1


def test_sleep_uses_a_module_alias_and_refuses_a_shadowed_asyncio() -> None:
    fixed = _fix_text('''\
        import asyncio as aio
        import time


        async def main():
            time.sleep(1)


        async def shadowed(asyncio):
            time.sleep(2)
    ''')
    assert "    await aio.sleep(1)\n" in fixed
    assert "    time.sleep(2)\n" in fixed
    source = "import time\n\n\nasync def shadowed(asyncio):\n    time.sleep(2)\n"
    result = fix_source(source, lint_text(source, "x.py", SETTINGS))
    assert result.applied == ()
    assert [reason for _, reason in result.skipped] == ["the name 'asyncio' is bound to something else here"]


def test_import_under_type_checking_does_not_count() -> None:
    fixed = _fix_text('''\
        import time
        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            import asyncio


        async def main() -> None:
            time.sleep(1)
    ''')
    assert fixed.startswith("import asyncio\nimport time\n")
    assert "    await asyncio.sleep(1)\n" in fixed


def test_columns_are_converted_from_utf8_bytes() -> None:
    fixed = _fix_text('''\
        import asyncio
        import time


        async def main():
            label = "größe: 日本"; time.sleep(1); print(label)
    ''')
    assert '    label = "größe: 日本"; await asyncio.sleep(1); print(label)\n' in fixed


def test_await_is_parenthesized_where_precedence_needs_it() -> None:
    fixed = _fix_text('''\
        import asyncio
        import subprocess


        async def main(cmd):
            out = subprocess.run(cmd, capture_output=True).stdout
            first = subprocess.check_output(cmd)[0]
            return out, first
    ''', unsafe=True)
    assert "out = (await asyncio.to_thread(subprocess.run, cmd, capture_output=True)).stdout" in fixed
    assert "first = (await asyncio.to_thread(subprocess.check_output, cmd))[0]" in fixed


def test_run_argument_that_is_not_a_primary_is_parenthesized() -> None:
    fixed = _fix_text('''\
        import asyncio


        async def job(n):
            return n


        async def main(flag):
            return asyncio.run(job(1) if flag else job(2))
    ''')
    assert "    return await (job(1) if flag else job(2))\n" in fixed


def test_gather_spreads_a_multiline_list_keeping_its_comments() -> None:
    fixed = _fix_text('''\
        import asyncio


        async def fetch(n):
            return n


        async def main():
            return await asyncio.gather([
                fetch(1),  # the first
                fetch(2),
            ], return_exceptions=True)
    ''')
    spread = ("    return await asyncio.gather(\n"
              "        fetch(1),  # the first\n"
              "        fetch(2), return_exceptions=True)\n")
    assert spread in fixed


def test_async_def_awaits_its_calls_in_async_code_and_converges() -> None:
    fixed = _fix_text('''\
        import asyncio
        import time


        class Store:
            def load(self):
                time.sleep(0.1)
                return await asyncio.sleep(0, "x")

            async def refresh(self):
                return self.load()


        async def main():
            print(await Store().refresh())
    ''', unsafe=True)
    assert "    async def load(self):\n        await asyncio.sleep(0.1)\n" in fixed
    assert "        return await self.load()\n" in fixed
    assert lint_text(fixed, "x.py", SETTINGS) == []


def test_a_fix_that_would_lose_a_comment_is_not_applied() -> None:
    source = textwrap.dedent('''\
        import asyncio


        async def job():
            return 1


        async def main():
            return asyncio.run(  # a nested loop
                job()
            )
    ''')
    result = fix_source(source, lint_text(source, "x.py", SETTINGS))
    assert result.source == source
    assert [reason for _, reason in result.skipped] == ["the fix was not applied: a comment would be lost"]


def test_unsafe_fixes_wait_for_the_flag() -> None:
    source = "import subprocess\n\n\nasync def main(cmd):\n    subprocess.run(cmd)\n"
    result = fix_source(source, lint_text(source, "x.py", SETTINGS))
    assert result.source == source and result.applied == ()
    assert [reason for _, reason in result.skipped] == [NEEDS_UNSAFE]
    fixed = fix_source(source, lint_text(source, "x.py", SETTINGS), unsafe=True)
    assert "await asyncio.to_thread(subprocess.run, cmd)" in fixed.source
    assert fixed.source.startswith("import asyncio\nimport subprocess\n")


def test_fix_source_raises_fix_error_on_unparsable_text() -> None:
    with pytest.raises(FixError):
        findings = lint_text("import time\nasync def f():\n    time.sleep(1)\n", "x.py", SETTINGS)
        fix_source("def (:\n", findings)


# -- files on disk ------------------------------------------------------------------------------------------

SLEEPER = "import asyncio\nimport time\n\n\nasync def main():\n    time.sleep(1)  # blocks\n"
SLEEPER_FIXED = "import asyncio\nimport time\n\n\nasync def main():\n    await asyncio.sleep(1)  # blocks\n"


def _write(path: Path, data: bytes, mode: int = 0o644) -> Path:
    path.write_bytes(data)
    os.chmod(path, mode)
    return path


def test_fix_file_writes_the_fix_and_keeps_the_mode(tmp_path: Path) -> None:
    path = _write(tmp_path / "mod.py", SLEEPER.encode(), 0o750)
    outcome = fix_file(path, SETTINGS)
    assert outcome.error is None and outcome.written and outcome.changed
    assert [f.code for f in outcome.applied] == ["APF201"]
    assert path.read_text() == SLEEPER_FIXED
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o750
    assert [p.name for p in tmp_path.iterdir()] == ["mod.py"]  # no temporary file left


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    path = _write(tmp_path / "mod.py", SLEEPER.encode())
    outcome = fix_file(path, SETTINGS, dry_run=True)
    assert outcome.new_text == SLEEPER_FIXED and not outcome.written
    assert path.read_text() == SLEEPER


def test_crlf_newlines_are_kept(tmp_path: Path) -> None:
    source = "import time\r\n\r\n\r\nasync def main():\r\n    time.sleep(1)\r\n"
    path = _write(tmp_path / "mod.py", source.encode())
    fix_file(path, SETTINGS)
    data = path.read_bytes()
    assert data == b"import asyncio\r\nimport time\r\n\r\n\r\nasync def main():\r\n    await asyncio.sleep(1)\r\n"


def test_bom_and_encoding_cookie_are_kept(tmp_path: Path) -> None:
    bom = _write(tmp_path / "bom.py", b"\xef\xbb\xbf" + SLEEPER.replace("# blocks", "# d\xe9j\xe0").encode())
    fix_file(bom, SETTINGS)
    assert bom.read_bytes() == b"\xef\xbb\xbf" + SLEEPER_FIXED.replace("# blocks", "# d\xe9j\xe0").encode()
    latin = "# -*- coding: latin-1 -*-\n" + SLEEPER.replace("# blocks", "# d\xe9j\xe0")
    cookie = _write(tmp_path / "latin.py", latin.encode("latin-1"))
    fix_file(cookie, SETTINGS)
    expected = "# -*- coding: latin-1 -*-\n" + SLEEPER_FIXED.replace("# blocks", "# d\xe9j\xe0")
    assert cookie.read_bytes() == expected.encode("latin-1")


def test_a_file_with_a_syntax_error_is_left_byte_identical(tmp_path: Path) -> None:
    data = b"import time\r\n\r\nasync def main(:\r\n    time.sleep(1)\r\n"
    path = _write(tmp_path / "broken.py", data)
    before = os.stat(path)
    outcome = fix_file(path, SETTINGS, unsafe=True)
    assert outcome.error is not None and outcome.error.startswith("syntax error: ")
    assert "line 3" in outcome.error and "Traceback" not in outcome.error
    assert not outcome.written and path.read_bytes() == data
    assert os.stat(path).st_mtime_ns == before.st_mtime_ns


def test_noqa_lines_are_not_fixed(tmp_path: Path) -> None:
    source = ("import asyncio\nimport time\n\n\nasync def main():\n"
              "    time.sleep(1)  # noqa: APF201\n    time.sleep(2)  # noqa\n    time.sleep(3)  # noqa: E501\n"
              "    time.sleep(4)  # NOQA:APF2\n")
    path = _write(tmp_path / "mod.py", source.encode())
    outcome = fix_file(path, SETTINGS)
    assert [f.line for f in outcome.applied] == [8]
    assert path.read_text() == source.replace("time.sleep(3)", "await asyncio.sleep(3)")


def test_accept_narrows_the_findings_fixed(tmp_path: Path) -> None:
    source = SLEEPER + "    asyncio.get_event_loop()\n"
    path = _write(tmp_path / "mod.py", source.encode())
    outcome = fix_file(path, SETTINGS, accept=lambda f: f.code == "APF404")
    assert [f.code for f in outcome.applied] == ["APF404"]
    assert "time.sleep(1)" in path.read_text()


def test_a_symlink_is_followed_and_kept(tmp_path: Path) -> None:
    target = _write(tmp_path / "real.py", SLEEPER.encode())
    link = tmp_path / "link.py"
    link.symlink_to(target)
    outcome = fix_file(link, SETTINGS)
    assert outcome.written and link.is_symlink()
    assert target.read_text() == SLEEPER_FIXED


def test_a_file_changed_between_read_and_write_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path / "mod.py", SLEEPER.encode())
    concurrent = SLEEPER + "# saved by the editor meanwhile\n"
    real_fix_source = fix_files.fix_source

    def fix_while_the_user_saves(*args: object, **kwargs: object) -> object:
        path.write_text(concurrent)
        return real_fix_source(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(fix_files, "fix_source", fix_while_the_user_saves)
    outcome = fix_file(path, SETTINGS)
    assert outcome.error is not None and "changed on disk" in outcome.error
    assert not outcome.written
    assert path.read_text() == concurrent
    assert [p.name for p in tmp_path.iterdir()] == ["mod.py"]


class _HalfWriter:
    """A temporary file whose write stops half-way with a full disk."""

    def __init__(self, handle: io.BufferedWriter) -> None:
        self.handle = handle

    def __enter__(self) -> _HalfWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.handle.close()

    def write(self, data: bytes) -> int:
        self.handle.write(data[: len(data) // 2])
        self.handle.flush()
        raise OSError(28, "No space left on device")

    def flush(self) -> None:
        self.handle.flush()

    def fileno(self) -> int:
        return self.handle.fileno()


@pytest.mark.parametrize("failure", ["replace", "write"])
def test_a_failed_write_leaves_the_old_file_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  failure: str) -> None:
    path = _write(tmp_path / "mod.py", SLEEPER.encode())
    if failure == "replace":
        def fail(*args: object) -> None:
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(fix_files.os, "replace", fail)
    else:
        real_fdopen = os.fdopen
        monkeypatch.setattr(fix_files.os, "fdopen", lambda fd, mode: _HalfWriter(real_fdopen(fd, mode)))
    outcome = fix_file(path, SETTINGS)
    assert outcome.error is not None and "No space left on device" in outcome.error
    assert not outcome.written
    assert path.read_text() == SLEEPER
    assert [p.name for p in tmp_path.iterdir()] == ["mod.py"]


_CRASHING_FIXER = """
import os, signal, sys
from pathlib import Path
from flake8_async_pitfalls.fixes import fix_file, files
from flake8_async_pitfalls.settings import Settings

moment = sys.argv[2]
real_fdopen, real_replace = os.fdopen, os.replace


def crash():
    os.kill(os.getpid(), signal.SIGKILL)


class CrashingWriter:
    def __init__(self, handle):
        self.handle = handle
    def __enter__(self):
        return self
    def __exit__(self, *exc_info):
        self.handle.close()
    def write(self, data):
        if moment == "mid-write":
            self.handle.write(data[: len(data) // 2])
            self.handle.flush()
            crash()
        return self.handle.write(data)
    def flush(self):
        self.handle.flush()
    def fileno(self):
        return self.handle.fileno()


def replace(*args):
    if moment == "before-rename":
        crash()
    real_replace(*args)
    if moment == "after-rename":
        crash()


files.os.fdopen = lambda fd, mode: CrashingWriter(real_fdopen(fd, mode))
files.os.replace = replace
fix_file(Path(sys.argv[1]), Settings(project=False))
"""


@pytest.mark.parametrize("moment", ["mid-write", "before-rename", "after-rename"])
def test_a_crash_mid_fix_leaves_the_old_or_the_new_file_whole(tmp_path: Path, moment: str) -> None:
    path = _write(tmp_path / "mod.py", SLEEPER.encode())
    proc = subprocess.run([sys.executable, "-c", _CRASHING_FIXER, str(path), moment], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == -9, proc.stderr  # killed by SIGKILL, as in a power cut
    expected = SLEEPER_FIXED if moment == "after-rename" else SLEEPER
    assert path.read_text() == expected


# -- regenerating the fixture outputs -----------------------------------------------------------------------

def _write_fixture_outputs() -> None:
    for code in FIXABLE:
        outcome = _fix_fixture(FIXTURES / f"{code}.py", code)
        target = FIXTURES / f"{code}.fixed.py"
        target.write_text(outcome.new_text, encoding="utf-8")
        print(f"{target.relative_to(ROOT)}: {len(outcome.applied)} fixes, {len(outcome.skipped)} findings left")


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        raise SystemExit("usage: python -m tests.test_fixes --write")
    _write_fixture_outputs()
