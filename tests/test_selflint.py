"""The project holds itself to its own standard, and its README tells the truth.

- the package, tests, bench and scripts lint clean with flake8 *including this plugin* (repo's .flake8);
- ``mypy`` (strict, configured in pyproject.toml) passes;
- ``flake8 --version`` lists the plugin, so flake8 really loads it;
- ``flake8 --select APF sample/pitfalls.py`` reports exactly the lines marked in the sample;
- the README's sample output, option table and commands match the code, ``.ci/run`` and each other.

Every tool runs as a subprocess of this interpreter (``sys.executable -m ...``), as a user would run it.
"""

from __future__ import annotations

import configparser
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from flake8.defaults import IGNORE  # type: ignore[import-untyped]

from flake8_async_pitfalls.settings import OPTIONS
from tests.fixture_markers import read_markers

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = Path("sample") / "pitfalls.py"
README = ROOT / "README.md"
CI_RUN = ROOT / ".ci" / "run"
SELF_LINT_PATHS = ("flake8_async_pitfalls", "tests", "bench", "scripts")
# flake8's default codes plus ours, so that other flake8 plugins that happen to be installed (flake8-async,
# say, for the benchmarks) do not change the verdict; an explicit --select drops flake8's default ignore
# list, so it is given back
SELF_LINT_SELECT = "E,F,W,C90,APF"
SELF_LINT_IGNORE = ",".join(IGNORE)
SELF_LINT_EXCLUDE = ("bench/out",)  # what bench/*.py write: results and whole virtual environments
FOUNDATION_CODES = {"APF101", "APF201", "APF301", "APF401"}

_FLAKE8_LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]+\d+) (?P<message>.*)$")
_SAMPLE_COMMAND = f"flake8 --select APF {SAMPLE.as_posix()}"


def _run(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def _flake8_findings(output: str) -> list[tuple[int, int, str, str]]:
    """(line, 1-based col, code, message) of each line flake8 printed; fails on a line of another shape."""
    findings = []
    for text in output.splitlines():
        match = _FLAKE8_LINE.match(text)
        assert match, f"unexpected flake8 output line: {text!r}"
        findings.append((int(match["line"]), int(match["col"]), match["code"], match["message"]))
    return findings


def _sample_run() -> subprocess.CompletedProcess[str]:
    return _run("-m", "flake8", "--select", "APF", SAMPLE.as_posix())


# -- the tools pass on the project itself ---------------------------------------------------------------------

def test_flake8_version_lists_the_plugin() -> None:
    result = _run("-m", "flake8", "--version")
    assert result.returncode == 0, result.stderr
    assert "flake8-async-pitfalls" in result.stdout, f"flake8 does not load the plugin:\n{result.stdout}"


def _extend_exclude() -> str:
    """The repo's extend-exclude plus bench/out (benchmark venvs, git-ignored); a command-line value replaces
    the configured one, so both are given."""
    config = configparser.ConfigParser()
    config.read(ROOT / ".flake8", encoding="utf-8")
    configured = [p.strip() for p in config.get("flake8", "extend-exclude", fallback="").split(",") if p.strip()]
    return ",".join([*configured, *SELF_LINT_EXCLUDE])


def test_package_lints_clean_with_its_own_plugin() -> None:
    result = _run("-m", "flake8", f"--select={SELF_LINT_SELECT}", f"--extend-ignore={SELF_LINT_IGNORE}",
                  f"--extend-exclude={_extend_exclude()}", *SELF_LINT_PATHS)
    assert result.returncode == 0 and not result.stdout.strip(), (
        f"flake8 {' '.join(SELF_LINT_PATHS)} is not clean:\n{result.stdout}{result.stderr}")


@pytest.mark.slow
def test_mypy_strict_passes() -> None:
    result = _run("-m", "mypy")
    assert result.returncode == 0, f"mypy failed:\n{result.stdout}{result.stderr}"


# -- the sample reports exactly its marked lines --------------------------------------------------------------

def test_sample_reports_exactly_the_marked_lines() -> None:
    expected, negatives = read_markers(ROOT / SAMPLE)
    assert {e.code for e in expected} == FOUNDATION_CODES, "the sample should show each foundation pitfall"
    assert negatives, "the sample should show correct variants marked '# ok:'"
    result = _sample_run()
    assert result.returncode in (0, 1) and not result.stderr.strip(), result.stderr
    found = _flake8_findings(result.stdout)
    found_keys = sorted((line, code) for line, _, code, _ in found)
    expected_keys = sorted((e.line, e.code) for e in expected)
    assert found_keys == expected_keys, f"flake8 reported:\n{result.stdout}"
    for e in expected:
        (col, message), = [(c, m) for line, c, code, m in found if (line, code) == (e.line, e.code)]
        if e.col is not None:
            assert col == e.col, f"line {e.line} {e.code}: reported at col {col}, marked col={e.col}"
        if e.message is not None:
            assert e.message in message, f"line {e.line} {e.code}: {message!r} lacks {e.message!r}"
    assert not {line for line, *_ in found} & set(negatives)


# -- the README matches the code and CI -----------------------------------------------------------------------

def _readme() -> str:
    return README.read_text(encoding="utf-8")


def _fenced_blocks(markdown: str, lang: str) -> list[str]:
    return re.findall(rf"^```{lang}\n(.*?)^```", markdown, flags=re.MULTILINE | re.DOTALL)


def test_readme_sample_output_is_what_flake8_prints() -> None:
    """The output shown under ``$ flake8 --select APF sample/pitfalls.py``; ``...`` stands for any text."""
    blocks = [b for b in _fenced_blocks(_readme(), "text") if b.startswith(f"$ {_SAMPLE_COMMAND}\n")]
    assert len(blocks) == 1, f"README.md should show the output of `{_SAMPLE_COMMAND}` once"
    shown = blocks[0].splitlines()[1:]
    printed = _sample_run().stdout.splitlines()
    assert len(shown) == len(printed), f"README shows {len(shown)} lines, flake8 prints:\n" + "\n".join(printed)
    for want, got in zip(shown, printed):
        pattern = ".*".join(re.escape(part) for part in want.split("..."))
        assert re.fullmatch(pattern, got), f"README shows\n  {want}\nflake8 prints\n  {got}"


def test_readme_documents_exactly_the_options() -> None:
    documented = set(re.findall(r"`(--apf-[a-z0-9-]+)", _readme()))
    implemented = {option.flag for option in OPTIONS}
    assert documented == implemented, (
        f"README.md's option table documents {sorted(documented)} but settings.OPTIONS has "
        f"{sorted(implemented)}: add or remove rows in the Configuration table")


def _readme_commands() -> list[str]:
    return [line for block in _fenced_blocks(_readme(), "console") for line in block.splitlines() if line.strip()]


def test_readme_has_the_two_setup_commands() -> None:
    commands = _readme_commands()
    assert len(commands) == 2, f"README.md should give exactly two one-line commands, has {commands}"
    install, test = commands
    assert install.startswith("python3 -m venv ") and install.endswith(_SAMPLE_COMMAND)
    assert "pytest" in test


def test_ci_runs_exactly_the_readme_test_command() -> None:
    test_command = _readme_commands()[-1]
    script = CI_RUN.read_text(encoding="utf-8")
    assert test_command in script, f".ci/run does not run the README's test command {test_command!r}"
    assert os.access(CI_RUN, os.X_OK), ".ci/run is not executable"
