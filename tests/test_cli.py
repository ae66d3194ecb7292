"""The ``flake8-async-pitfalls`` command line, run as a user runs it: a subprocess on files in a temp dir.

Findings are compared with what flake8 itself prints for the same files (the same engine, noqa and
selection), and every format, exit status, config source and path oddity is exercised.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from flake8_async_pitfalls import __version__, cli
from flake8_async_pitfalls.output import github_lines
from flake8_async_pitfalls.lint import Report
from flake8_async_pitfalls.rules import ALL_RULES
from flake8_async_pitfalls.settings import OPTIONS

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
PACKAGE = ROOT / "flake8_async_pitfalls"
_FLAKE8_LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]+\d+) (?P<message>.*)$")
_GITHUB_LINE = re.compile(r"^::(warning|error) file=[^,:\r\n]+,line=\d+,col=\d+,title=[A-Z]+\d+::[^\r\n]+$")

BLOCKING = """\
    import time


    async def main():
        time.sleep(1)
"""

TWO_CODES = """\
    import time


    async def helper():
        return 1


    async def main():
        helper()
        time.sleep(1)
"""

HEAVY_LOOP = """\
    async def main():
        total = 0
        for i in range(5000):
            total += i
        return total
"""


def write(path: Path, source: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return path


def run_cli(*args: str, cwd: Path, stdin: str | None = None,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "flake8_async_pitfalls.cli", *args], cwd=cwd, input=stdin,
                          capture_output=True, text=True, timeout=300, env=env,
                          stdin=None if stdin is not None else subprocess.DEVNULL)


def run_flake8(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "flake8", "--isolated", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300, stdin=subprocess.DEVNULL)


def codes(output: str) -> list[tuple[int, str]]:
    """(line, code) of each flake8-style output line; fails on any other line."""
    found = []
    for text in output.splitlines():
        match = _FLAKE8_LINE.match(text)
        assert match, f"not a finding line: {text!r}"
        found.append((int(match["line"]), match["code"]))
    return found


# -- the same findings as flake8 ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["APF201.py", "APF403.py", "APF101.py"])
def test_findings_equal_flake8_on_fixtures(tmp_path: Path, name: str) -> None:
    shutil.copy(FIXTURES / name, tmp_path / name)
    ours = run_cli("check", "--isolated", name, cwd=tmp_path)
    theirs = run_flake8("--select", "APF", name, cwd=tmp_path)
    assert ours.stdout == theirs.stdout, f"cli:\n{ours.stdout}\nflake8:\n{theirs.stdout}"
    assert ours.stdout and ours.returncode == theirs.returncode == 1, ours.stderr


NOQA_FORMS = '''\
    import time
    import asyncio


    async def main():
        time.sleep(1)  # noqa
        time.sleep(1)  # noqa: APF201
        time.sleep(1)  # noqa:APF2
        time.sleep(1)  # NOQA: E501,APF201
        time.sleep(1)  # noqa: E501
        time.sleep(1)  # noqa: APF101
        time.sleep(1)  # noqa : APF101
        time.sleep(1)  # reported
        time.sleep(len("""x
    y""")); x = 1  # noqa: APF201
        await asyncio.sleep(0)
'''


def test_noqa_forms_as_flake8(tmp_path: Path) -> None:
    write(tmp_path / "noqa.py", NOQA_FORMS)
    ours = run_cli("check", "--isolated", "noqa.py", cwd=tmp_path)
    theirs = run_flake8("--select", "APF", "noqa.py", cwd=tmp_path)
    assert ours.stdout == theirs.stdout
    # the E501 and APF101 lines are reported, the bare '# noqa : ...' silences all, the string spans lines
    assert codes(ours.stdout) == [(10, "APF201"), (11, "APF201"), (13, "APF201")]


def test_file_level_noqa(tmp_path: Path) -> None:
    write(tmp_path / "off.py", "# flake8: noqa\n" + textwrap.dedent(BLOCKING))
    result = run_cli("check", "--isolated", "off.py", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout == "", result.stdout


def test_encodings_bom_and_crlf_as_flake8(tmp_path: Path) -> None:
    source = textwrap.dedent(BLOCKING).replace("import time", "import time  # caf\u00e9")
    (tmp_path / "bom_crlf.py").write_bytes(b"\xef\xbb\xbf" + source.replace("\n", "\r\n").encode("utf-8"))
    (tmp_path / "latin.py").write_bytes(("# -*- coding: latin-1 -*-\n" + source).encode("latin-1"))
    (tmp_path / "wide.py").write_text(source.replace("time.sleep(1)", "x = '\u00e9\u00e9'; time.sleep(1)"),
                                      encoding="utf-8")
    ours = run_cli("check", "--isolated", ".", cwd=tmp_path)
    theirs = run_flake8("--select", "APF", ".", cwd=tmp_path)
    assert ours.stdout == theirs.stdout
    assert [code for _, code in codes(ours.stdout)] == ["APF201"] * 3


# -- selection and configuration ------------------------------------------------------------------------------

@pytest.mark.parametrize(("options", "expected"), [
    ((), ["APF101", "APF201"]),
    (("--select", "APF2"), ["APF201"]),
    (("--ignore", "APF201"), ["APF101"]),
    (("--extend-ignore", "APF1"), ["APF201"]),
    (("--select", "APF201", "--ignore", "APF2"), ["APF201"]),  # the longer prefix wins
    (("--select", "APF2", "--ignore", "APF201"), []),
    (("--select", "E,W"), []),
])
def test_select_and_ignore(tmp_path: Path, options: tuple[str, ...], expected: list[str]) -> None:
    write(tmp_path / "two.py", TWO_CODES)
    result = run_cli("check", "--isolated", *options, "two.py", cwd=tmp_path)
    assert [code for _, code in codes(result.stdout)] == expected
    assert result.returncode == (1 if expected else 0)


def test_invalid_code_is_a_usage_error(tmp_path: Path) -> None:
    write(tmp_path / "two.py", TWO_CODES)
    result = run_cli("check", "--isolated", "--select", "apf201", "two.py", cwd=tmp_path)
    assert result.returncode == 2 and "not a code or code prefix" in result.stderr
    assert "Traceback" not in result.stderr


def test_every_settings_option_is_on_the_command_line(tmp_path: Path) -> None:
    result = run_cli("check", "--help", cwd=tmp_path)
    assert result.returncode == 0
    for option in OPTIONS:
        assert option.flag in result.stdout, option.flag
    assert "pyproject.toml" in result.stdout


def test_apf_option_on_the_command_line(tmp_path: Path) -> None:
    write(tmp_path / "loop.py", HEAVY_LOOP)
    assert run_cli("check", "--isolated", "loop.py", cwd=tmp_path).returncode == 0
    result = run_cli("check", "--isolated", "--apf-cpu-threshold=1000", "loop.py", cwd=tmp_path)
    assert codes(result.stdout) == [(3, "APF301")]
    bad = run_cli("check", "--isolated", "--apf-cpu-threshold=-5", "loop.py", cwd=tmp_path)
    assert bad.returncode == 2 and "--apf-cpu-threshold" in bad.stderr and "Traceback" not in bad.stderr


def test_config_from_pyproject(tmp_path: Path) -> None:
    write(tmp_path / "two.py", TWO_CODES)
    write(tmp_path / "loop.py", HEAVY_LOOP)
    write(tmp_path / "pyproject.toml", """\
        [project]
        name = "demo"

        [tool.flake8-async-pitfalls]
        ignore = ["APF101"]
        cpu-threshold = 1000
        per-file-ignores = {"loop.py" = ["APF3"]}
    """)
    result = run_cli("check", "two.py", "loop.py", cwd=tmp_path)
    assert codes(result.stdout) == [(10, "APF201")]
    # the command line beats the file
    result = run_cli("check", "--ignore", "APF2", "--per-file-ignores", "other.py:APF3", "two.py", "loop.py",
                     cwd=tmp_path)
    assert sorted(code for _, code in codes(result.stdout)) == ["APF101", "APF301"]


def test_pyproject_typed_values(tmp_path: Path) -> None:
    """TOML values keep their types: lists, booleans and numbers become the same Settings as flake8's strings."""
    from flake8_async_pitfalls import config

    write(tmp_path / "pyproject.toml", """\
        [tool.flake8-async-pitfalls]
        no-project = true
        apf-project-depth = 3
        coroutine-functions = ["pkg.fetch", "pkg.Client.*"]
        extend-select = "APF2"
        exclude = ["gen/*", "old"]
    """)
    built = config.build(config.load_files(str(tmp_path)))
    assert built.settings.project is False and built.settings.project_depth == 3
    assert built.settings.coroutine_functions == ("pkg.fetch", "pkg.Client.*")
    assert built.selection.select == ("APF", "APF2")
    assert built.exclude == (str(tmp_path / "gen" / "*"), "old")
    assert built.files == (str(tmp_path / "pyproject.toml"),)


def test_pyproject_unknown_key_is_an_error(tmp_path: Path) -> None:
    write(tmp_path / "two.py", TWO_CODES)
    write(tmp_path / "pyproject.toml", '[tool.flake8-async-pitfalls]\ncpu-treshold = 5\n')
    result = run_cli("check", "two.py", cwd=tmp_path)
    assert result.returncode == 2 and "unknown key 'cpu-treshold'" in result.stderr


def test_without_a_toml_reader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                               capsys: pytest.CaptureFixture[str]) -> None:
    """Python 3.10 without tomli: pyproject.toml is not read, --help and a warning say so, flake8 files still are."""
    from flake8_async_pitfalls import config

    monkeypatch.setattr(config, "TOML", None)
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "two.py", TWO_CODES)
    write(tmp_path / "pyproject.toml", '[tool.flake8-async-pitfalls]\nignore = ["APF101"]\n')
    write(tmp_path / "tox.ini", "[flake8]\nextend-ignore = APF201\n")
    with pytest.raises(SystemExit):
        cli.main(["check", "--help"])
    assert "pyproject.toml is NOT read on this Python" in " ".join(capsys.readouterr().out.split())
    assert cli.main(["check", "two.py"]) == 1
    out, err = capsys.readouterr()
    assert codes(out) == [(9, "APF101")]
    assert "pyproject.toml was not read" in err


def test_config_from_setup_cfg_and_subdirectory(tmp_path: Path) -> None:
    write(tmp_path / "pkg" / "two.py", TWO_CODES)
    write(tmp_path / "pkg" / "loop.py", HEAVY_LOOP)
    write(tmp_path / "setup.cfg", """\
        [flake8]
        max-line-length = 120
        extend-ignore = APF101
        apf-cpu-threshold = 1000
        per-file-ignores =
            pkg/two.py: APF201
    """)
    result = run_cli("check", ".", cwd=tmp_path)
    assert codes(result.stdout) == [(3, "APF301")]
    # found from a subdirectory too, with paths relative to the config file
    result = run_cli("check", ".", cwd=tmp_path / "pkg")
    assert codes(result.stdout) == [(3, "APF301")]
    assert run_cli("check", "--isolated", ".", cwd=tmp_path / "pkg").stdout.count("APF101") == 1


# -- formats --------------------------------------------------------------------------------------------------

def test_json_format(tmp_path: Path) -> None:
    write(tmp_path / "two.py", TWO_CODES)
    result = run_cli("check", "--isolated", "--format", "json", "two.py", cwd=tmp_path)
    assert result.returncode == 1
    items = json.loads(result.stdout)
    assert [(i["line"], i["code"]) for i in items] == [(9, "APF101"), (10, "APF201")]
    sleep = items[1]
    assert sleep == {"path": "two.py", "line": 10, "column": 5, "code": "APF201", "name": "blocking-sleep",
                     "message": sleep["message"], "fix_safety": "safe"}
    assert items[0]["fix_safety"] == "unsafe"


def test_sarif_format(tmp_path: Path) -> None:
    write(tmp_path / "two.py", TWO_CODES)
    write(tmp_path / "broken.py", "def f(:\n")
    result = run_cli("check", "--isolated", "--format", "sarif", ".", "missing.py", cwd=tmp_path)
    assert result.returncode == 2  # missing.py could not be checked
    log = json.loads(result.stdout)
    assert log["version"] == "2.1.0" and "sarif-2.1.0" in log["$schema"]
    run, = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "flake8-async-pitfalls" and driver["version"] == __version__
    rules = driver["rules"]
    assert [r["id"] for r in rules][:len(ALL_RULES)] == [rule.code for rule in ALL_RULES]
    for rule in rules[:len(ALL_RULES)]:
        assert {"id", "name", "shortDescription", "fullDescription", "defaultConfiguration"} <= set(rule)
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
    assert rules[0]["helpUri"].endswith("/rules/APF101/")
    results = run["results"]
    assert [(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in results] == [
        ("E999", 1), ("APF101", 9), ("APF201", 10)]
    for result_ in results:
        assert rules[result_["ruleIndex"]]["id"] == result_["ruleId"]
        location = result_["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert location["artifactLocation"]["uri"] in ("two.py", "broken.py")
    assert run["invocations"][0]["executionSuccessful"] is False
    assert "missing.py" in json.dumps(run["invocations"][0]["toolExecutionNotifications"])


def test_sarif_offers_the_fixes(tmp_path: Path) -> None:
    write(tmp_path / "bad.py", BLOCKING)
    log = json.loads(run_cli("check", "--isolated", "--format", "sarif", "bad.py", cwd=tmp_path).stdout)
    result, = log["runs"][0]["results"]
    fix, = result["fixes"]
    assert fix["description"]["text"] == "APF201 autofix (safe)"
    change, = fix["artifactChanges"]
    assert change["artifactLocation"]["uri"] == "bad.py"
    inserted = [r["insertedContent"]["text"] for r in change["replacements"]]
    assert "import asyncio\n" in inserted and "    await asyncio.sleep(1)\n" in inserted
    for replacement in change["replacements"]:
        region = replacement["deletedRegion"]
        assert {"startLine", "startColumn", "endLine", "endColumn"} <= set(region)
    assert (tmp_path / "bad.py").read_text(encoding="utf-8") == textwrap.dedent(BLOCKING)  # nothing written
    log = json.loads(run_cli("check", "--isolated", "--format", "sarif", "--no-fixes", "bad.py", cwd=tmp_path).stdout)
    assert "fixes" not in log["runs"][0]["results"][0]


def test_github_format(tmp_path: Path) -> None:
    write(tmp_path / "two.py", TWO_CODES)
    write(tmp_path / "broken.py", "x = (\n")
    result = run_cli("check", "--isolated", "--format", "github", ".", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    for line in lines:
        assert _GITHUB_LINE.match(line), line
    assert lines[0].startswith("::error file=broken.py,line=1,col=5,title=E999::SyntaxError")
    assert lines[2].startswith("::warning file=two.py,line=10,col=5,title=APF201::time.sleep(1)")


def test_github_escaping() -> None:
    report = Report("dir,x/a:b.py", 3, 1, "APF201", "50% done\r\nnext: line", 1)
    line, = github_lines([report])
    assert line == "::warning file=dir%2Cx/a%3Ab.py,line=3,col=1,title=APF201::50%25 done%0D%0Anext: line"


# -- exit statuses and paths ----------------------------------------------------------------------------------

def test_exit_statuses(tmp_path: Path) -> None:
    write(tmp_path / "clean.py", "import asyncio\n\n\nasync def main():\n    await asyncio.sleep(1)\n")
    write(tmp_path / "bad.py", BLOCKING)
    assert run_cli("check", "--isolated", "clean.py", cwd=tmp_path).returncode == 0
    assert run_cli("check", "--isolated", "bad.py", cwd=tmp_path).returncode == 1
    assert run_cli("check", "--isolated", "--exit-zero", "bad.py", cwd=tmp_path).returncode == 0
    assert run_cli("check", "--isolated", "--format", "xml", "bad.py", cwd=tmp_path).returncode == 2
    assert run_cli("check", "--isolated", "--no-such-option", cwd=tmp_path).returncode == 2
    assert run_cli(cwd=tmp_path).returncode == 2  # no command


def test_missing_path_reports_and_goes_on(tmp_path: Path) -> None:
    write(tmp_path / "bad.py", BLOCKING)
    result = run_cli("check", "--isolated", "nowhere.py", "bad.py", cwd=tmp_path)
    assert result.returncode == 2
    assert codes(result.stdout) == [(5, "APF201")]
    assert "nowhere.py: no such file or directory" in result.stderr
    assert "Traceback" not in result.stderr


def test_excludes(tmp_path: Path) -> None:
    for directory in ("keep", "build", ".venv", "pkg.egg-info", "__pycache__", "generated"):
        write(tmp_path / directory / "mod.py", BLOCKING)
    result = run_cli("check", "--isolated", ".", cwd=tmp_path)
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == ["./generated/mod.py", "./keep/mod.py"]
    result = run_cli("check", "--isolated", "--extend-exclude", "generated", ".", cwd=tmp_path)
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == ["./keep/mod.py"]
    # --exclude replaces the default list; patterns with a slash are paths
    result = run_cli("check", "--isolated", "--exclude", "./keep,generated", ".", cwd=tmp_path)
    assert "./build/mod.py" in result.stdout and "keep" not in result.stdout
    # an excluded file named on the command line is skipped, as flake8 does
    result = run_cli("check", "--isolated", "--exclude", "mod.py", "keep/mod.py", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout == ""
    assert "keep/mod.py is not checked: it matches an exclude pattern" in result.stderr


def _git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def _gitignore_project(root: Path) -> None:
    write(root / ".gitignore", "generated/\n*_gen.py\n!keep_gen.py\n")
    write(root / "generated" / "mod.py", BLOCKING)
    write(root / "pkg" / "a_gen.py", BLOCKING)
    write(root / "pkg" / "keep_gen.py", BLOCKING)
    write(root / "pkg" / "mod.py", BLOCKING)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_gitignore_in_a_git_work_tree(tmp_path: Path) -> None:
    _git("init", "-q", cwd=tmp_path)
    _gitignore_project(tmp_path)
    write(tmp_path / "pkg" / ".gitignore", "mod.py\n")  # nested .gitignore files count
    result = run_cli("check", "--isolated", ".", cwd=tmp_path)
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == ["./pkg/keep_gen.py"]
    result = run_cli("check", "--isolated", "--no-gitignore", ".", cwd=tmp_path)
    assert len(result.stdout.splitlines()) == 4
    # a file named on the command line is checked even when ignored
    result = run_cli("check", "--isolated", "pkg/a_gen.py", cwd=tmp_path)
    assert result.returncode == 1


def test_gitignore_without_git(tmp_path: Path) -> None:
    _gitignore_project(tmp_path)
    env = {**os.environ, "PATH": str(tmp_path / "no-bin")}  # no git to be found
    result = run_cli("check", "--isolated", ".", cwd=tmp_path, env=env)
    assert sorted(line.split(":")[0] for line in result.stdout.splitlines()) == [
        "./pkg/keep_gen.py", "./pkg/mod.py"]


def test_syntax_error_is_one_line(tmp_path: Path) -> None:
    write(tmp_path / "broken.py", "import time\n\nasync def main(:\n    time.sleep(1)\n")
    write(tmp_path / "bad.py", BLOCKING)
    result = run_cli("check", "--isolated", ".", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "./bad.py:5:5: APF201 time.sleep(1) blocks the event loop in async def 'main'; "
        "use 'await asyncio.sleep(1)'",
        "./broken.py:3:16: E999 SyntaxError: invalid syntax",
    ]
    assert result.stderr == ""


def test_broken_symlink_and_directory_named_py(tmp_path: Path) -> None:
    write(tmp_path / "bad.py", BLOCKING)
    (tmp_path / "dangling.py").symlink_to(tmp_path / "gone.py")
    write(tmp_path / "odd.py" / "inner.py", BLOCKING)  # a directory named like a file is walked
    result = run_cli("check", "--isolated", ".", cwd=tmp_path)
    assert result.returncode == 2
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == ["./bad.py", "./odd.py/inner.py"]
    assert "dangling.py: cannot read: no such file or directory" in result.stderr
    assert "Traceback" not in result.stderr


def test_symlink_loops(tmp_path: Path) -> None:
    write(tmp_path / "pkg" / "bad.py", BLOCKING)
    (tmp_path / "pkg" / "loop.py").symlink_to(tmp_path / "pkg" / "loop.py")
    (tmp_path / "pkg" / "back").symlink_to(tmp_path)  # a directory cycle: not followed
    result = run_cli("check", "--isolated", ".", cwd=tmp_path)
    assert result.returncode == 2
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == ["./pkg/bad.py"]
    assert "loop.py: cannot read: too many levels of symbolic links" in result.stderr
    explicit = run_cli("check", "--isolated", "pkg/loop.py", cwd=tmp_path)
    assert explicit.returncode == 2 and "symlink loop" in explicit.stderr


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root can read a chmod 000 file")
def test_unreadable_file_chmod(tmp_path: Path) -> None:
    path = write(tmp_path / "secret.py", BLOCKING)
    path.chmod(0)
    try:
        result = run_cli("check", "--isolated", "secret.py", cwd=tmp_path)
    finally:
        path.chmod(0o644)
    assert result.returncode == 2 and "secret.py: cannot read: permission denied" in result.stderr


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """In-process, as root reads anything: one file fails with EACCES, the others are still checked."""
    write(tmp_path / "bad.py", BLOCKING)
    write(tmp_path / "secret.py", BLOCKING)
    real_read = cli._read

    def read(path: str, stdin_name: str) -> tuple[str, bytes]:
        if path.endswith("secret.py"):
            raise PermissionError(13, "Permission denied", path)
        return real_read(path, stdin_name)

    monkeypatch.setattr(cli, "_read", read)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["check", "--isolated", "."]) == 2
    out, err = capsys.readouterr()
    assert [line.split(":")[0] for line in out.splitlines()] == ["./bad.py"]
    assert err.strip() == "flake8-async-pitfalls: ./secret.py: cannot read: permission denied"


def test_stdin(tmp_path: Path) -> None:
    result = run_cli("check", "--isolated", "-", cwd=tmp_path, stdin=textwrap.dedent(BLOCKING))
    assert result.stdout.startswith("stdin:5:5: APF201 ") and result.returncode == 1
    result = run_cli("check", "--isolated", "--stdin-display-name", "app/main.py", "-", cwd=tmp_path,
                     stdin=textwrap.dedent(BLOCKING))
    assert result.stdout.startswith("app/main.py:5:5: APF201 ")


# -- explain and rules ----------------------------------------------------------------------------------------

def test_explain(tmp_path: Path) -> None:
    result = run_cli("explain", "apf201", cwd=tmp_path)
    assert result.returncode == 0
    page = result.stdout
    assert page.startswith("# APF201 blocking-sleep\n")
    for heading in ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Fix"):
        assert heading in page
    bad = (FIXTURES / "examples" / "APF201" / "bad.py").read_text(encoding="utf-8")
    assert bad.strip() in page


def test_explain_unknown_code(tmp_path: Path) -> None:
    result = run_cli("explain", "APF999", cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert "unknown rule code 'APF999'" in result.stderr and "rules" in result.stderr


def test_explain_without_the_repository(tmp_path: Path) -> None:
    """As installed from a wheel: the package alone, no fixtures/ beside it."""
    shutil.copytree(PACKAGE, tmp_path / "flake8_async_pitfalls", ignore=shutil.ignore_patterns("__pycache__"))
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    probe = subprocess.run([sys.executable, "-c", "import flake8_async_pitfalls as p; print(p.__file__)"],
                           cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert probe.stdout.strip().startswith(str(tmp_path)), "the copy should be the one imported"
    result = run_cli("explain", "APF201", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    page = result.stdout
    assert page.startswith("# APF201 blocking-sleep\n") and "## Why is this bad?" in page and "## Fix" in page
    assert "No example yet" not in page and "## Use instead" not in page
    assert "https://flake8-async-pitfalls.github.io/flake8-async-pitfalls/rules/APF201/" in page  # the full page


def test_rules_table_and_json(tmp_path: Path) -> None:
    table = run_cli("rules", cwd=tmp_path)
    assert table.returncode == 0
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["code", "name", "fix", "summary"]
    assert [line.split()[0] for line in lines[1:]] == [rule.code for rule in ALL_RULES]
    assert any(line.split()[1:3] == ["blocking-sleep", "safe"] for line in lines)
    items = json.loads(run_cli("rules", "--format", "json", cwd=tmp_path).stdout)
    assert [item["code"] for item in items] == [rule.code for rule in ALL_RULES]
    assert {"code", "name", "summary", "fix_safety"} <= set(items[0])


def test_installed_console_script(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "flake8-async-pitfalls"
    if not script.exists():
        pytest.skip("the package is not installed with its console script in this environment")
    write(tmp_path / "bad.py", BLOCKING)
    result = subprocess.run([str(script), "check", "--isolated", "bad.py"], cwd=tmp_path, capture_output=True,
                            text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert result.returncode == 1 and codes(result.stdout) == [(5, "APF201")]


def test_version(tmp_path: Path) -> None:
    result = run_cli("--version", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.strip() == f"flake8-async-pitfalls {__version__}"


# -- fix ------------------------------------------------------------------------------------------------------

def test_fix_diff_writes_nothing(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.py", BLOCKING)
    before = path.read_bytes()
    stat_before = path.stat()
    result = run_cli("fix", "--isolated", "--diff", "bad.py", cwd=tmp_path)
    assert path.read_bytes() == before and path.stat().st_mtime_ns == stat_before.st_mtime_ns
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.py"]
    assert "--- a/bad.py" in result.stdout and "+    await asyncio.sleep(1)" in result.stdout
    assert "-    time.sleep(1)" in result.stdout
    assert result.returncode == 0, result.stderr


def test_fix_writes_and_reports(tmp_path: Path) -> None:
    path = write(tmp_path / "two.py", TWO_CODES)
    result = run_cli("fix", "--isolated", "two.py", cwd=tmp_path)
    text = path.read_text(encoding="utf-8")
    assert "await asyncio.sleep(1)" in text and "\n    helper()\n" in text  # APF101's fix is unsafe
    assert result.returncode == 1  # APF101 remains
    lines = result.stdout.splitlines()
    assert "two.py:10:5: APF201 fixed" in lines
    left = [line for line in lines if " left: " in line]
    # positions are those of the fixed text (an import was added above)
    assert len(left) == 1 and left[0].startswith("two.py:10:5: APF101 left: ") and "--unsafe-fixes" in left[0]
    assert lines[-1] == "fixed 1 finding, 1 left"
    result = run_cli("fix", "--isolated", "--unsafe-fixes", "two.py", cwd=tmp_path)
    assert "await helper()" in path.read_text(encoding="utf-8")
    assert result.returncode == 0, result.stdout + result.stderr


def test_fix_leaves_a_syntax_error_alone(tmp_path: Path) -> None:
    path = write(tmp_path / "broken.py", "import time\n\nasync def main(:\n    time.sleep(1)\n")
    before = path.read_bytes()
    result = run_cli("fix", "--isolated", "broken.py", cwd=tmp_path)
    assert path.read_bytes() == before
    assert result.returncode == 1 and result.stderr == ""
    assert "broken.py:3:16: E999 SyntaxError: invalid syntax" in result.stdout.splitlines()


def test_fix_empty_and_clean_files(tmp_path: Path) -> None:
    write(tmp_path / "empty.py", "")
    write(tmp_path / "clean.py", "import asyncio\n\n\nasync def main():\n    await asyncio.sleep(1)\n")
    result = run_cli("fix", "--isolated", ".", cwd=tmp_path)
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout.splitlines() == ["fixed 0 findings, 0 left"]


def test_fix_reports_unwritable_and_missing_paths(tmp_path: Path) -> None:
    write(tmp_path / "bad.py", BLOCKING)
    (tmp_path / "dangling.py").symlink_to(tmp_path / "gone.py")
    result = run_cli("fix", "--isolated", ".", "missing.py", cwd=tmp_path)
    assert result.returncode == 2
    assert "./bad.py:5:5: APF201 fixed" in result.stdout.splitlines()
    assert "missing.py: no such file or directory" in result.stderr
    assert "dangling.py: cannot read the file" in result.stderr and "Traceback" not in result.stderr


def test_fix_leaves_a_read_only_file_alone_and_goes_on(tmp_path: Path) -> None:
    read_only = write(tmp_path / "readonly.py", BLOCKING)
    other = write(tmp_path / "other.py", BLOCKING)
    before = read_only.read_bytes()
    read_only.chmod(0o444)  # refused even for root, whom the permission bits would not stop
    try:
        result = run_cli("fix", "--isolated", ".", cwd=tmp_path)
    finally:
        read_only.chmod(0o644)
    assert result.returncode == 2
    assert read_only.read_bytes() == before
    assert "await asyncio.sleep(1)" in other.read_text(encoding="utf-8")
    assert result.stderr.splitlines() == [
        "flake8-async-pitfalls: ./readonly.py: cannot write the file: the file is read-only; left unchanged"]
    lines = result.stdout.splitlines()
    assert "./other.py:5:5: APF201 fixed" in lines
    assert not any(line.startswith("./readonly.py") and line.endswith(" fixed") for line in lines)
    assert any(line.startswith("./readonly.py:5:5: APF201 ") for line in lines)  # reported as left
    assert lines[-1] == "fixed 1 finding, 1 left"


def test_fix_of_a_file_changed_meanwhile_writes_nothing_and_goes_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    from flake8_async_pitfalls.fixes import files as fix_files

    edited = write(tmp_path / "edited.py", BLOCKING)
    edited.write_text(edited.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    other = write(tmp_path / "other.py", BLOCKING)
    saved = edited.read_text(encoding="utf-8") + "# saved by the editor meanwhile\n"
    real_fix_source = fix_files.fix_source

    def save_meanwhile(source: str, *args: object, **kwargs: object) -> object:
        if "# edited" in source:  # the user saves edited.py while its fix is being computed
            edited.write_text(saved, encoding="utf-8")
        return real_fix_source(source, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(fix_files, "fix_source", save_meanwhile)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["fix", "--isolated", "."]) == 2
    out, err = capsys.readouterr()
    assert edited.read_text(encoding="utf-8") == saved  # the user's save wins
    assert "await asyncio.sleep(1)" in other.read_text(encoding="utf-8")
    assert err.splitlines() == ["flake8-async-pitfalls: ./edited.py: the file changed on disk while it was being "
                                "fixed; nothing written"]
    assert "./other.py:5:5: APF201 fixed" in out.splitlines()


def test_fix_reports_unreadable_files_and_symlink_loops_and_goes_on(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "secret.py", BLOCKING)
    other = write(tmp_path / "other.py", BLOCKING)
    (tmp_path / "loop.py").symlink_to(tmp_path / "loop.py")
    real_read_bytes = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == "secret.py":  # as root reads anything, the refusal is simulated
            raise PermissionError(13, "Permission denied", str(self))
        return real_read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["fix", "--isolated", ".", "missing.py"]) == 2
    out, err = capsys.readouterr()
    assert "await asyncio.sleep(1)" in other.read_text(encoding="utf-8")
    assert "./other.py:5:5: APF201 fixed" in out.splitlines()
    problems = err.splitlines()
    assert "flake8-async-pitfalls: ./secret.py: cannot read the file: Permission denied" in problems
    assert any(line.startswith("flake8-async-pitfalls: ./loop.py: ") and "symbolic links" in line
               for line in problems)
    assert "flake8-async-pitfalls: missing.py: no such file or directory" in problems
    assert len(problems) == 3 and "Traceback" not in err


def test_fix_goes_on_past_an_internal_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    from flake8_async_pitfalls import fixes

    broken = write(tmp_path / "a_broken.py", BLOCKING)
    other = write(tmp_path / "b_other.py", BLOCKING)
    before = broken.read_bytes()
    real_fix_file = fixes.fix_file

    def fix_file(path: Path, *args: object, **kwargs: object) -> object:
        if path.name == "a_broken.py":
            raise AssertionError("a bug")
        return real_fix_file(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(fixes, "fix_file", fix_file)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["fix", "--isolated", "."]) == 2
    out, err = capsys.readouterr()
    assert broken.read_bytes() == before
    assert "await asyncio.sleep(1)" in other.read_text(encoding="utf-8")
    assert err.splitlines() == [
        "flake8-async-pitfalls: ./a_broken.py: internal error, please report it: AssertionError: a bug"]
