"""The pre-commit hooks of ``.pre-commit-hooks.yaml``, run by the real pre-commit on throw-away git repositories.

pre-commit installs the hooks' repository into a virtual environment of its own (pip, from PyPI for flake8
and libcst), so these tests are slow. The repository handed to pre-commit is a snapshot of this checkout's
working tree (the package, pyproject.toml, README.md and the hooks file) committed to a temporary git
repository: so uncommitted changes are what is tested, and ``pre-commit run`` installs it once for the
runs of a test (``try-repo`` makes a fresh store each time whatever PRE_COMMIT_HOME says, so it installs on
every run).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from flake8_async_pitfalls.rules import ALL_RULES
from flake8_async_pitfalls.rules.base import FixSafety

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "flake8_async_pitfalls"
# what installing the package needs (the optional ones are copied when they exist)
SNAPSHOT_FILES = ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml")
OPTIONAL_FILES = ("setup.cfg", "setup.py", "MANIFEST.in", "LICENSE", "LICENSE.txt")
TIMEOUT = 900  # seconds for one pre-commit run: the first installs an environment with pip

# every pitfall here has a SAFE fix: APF404 (get_running_loop) and APF201 (await asyncio.sleep)
SAFE_PITFALLS = """\
    import asyncio
    import time


    async def tick():
        loop = asyncio.get_event_loop()
        time.sleep(1)
        return loop
"""

# APF201 is fixed safely; APF303 (pbkdf2_hmac moved to a thread) needs --unsafe-fixes
UNSAFE_PITFALLS = """\
    import asyncio
    import hashlib
    import time


    async def tick():
        time.sleep(1)


    async def digest(password: bytes) -> bytes:
        return hashlib.pbkdf2_hmac("sha256", password, b"salt", 500_000)
"""

LEGACY = """\
    import time


    async def old():
        time.sleep(1)
"""


def _clean_env(pre_commit_home: Path) -> dict[str, str]:
    """The environment of the git and pre-commit subprocesses: no GIT_* variables leaking in (as when the
    suite itself runs inside a git hook), no pre-commit settings of the caller, a private pre-commit store."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("GIT_", "PRE_COMMIT"))}
    env["PRE_COMMIT_HOME"] = str(pre_commit_home)
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def _git(*args: str, cwd: Path, env: dict[str, str]) -> str:
    result = subprocess.run(["git", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args],
                            cwd=cwd, env=env, capture_output=True, text=True, timeout=120,
                            stdin=subprocess.DEVNULL)
    assert result.returncode == 0, f"git {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout.strip()


def _new_repository(path: Path, env: dict[str, str]) -> None:
    path.mkdir(parents=True, exist_ok=True)
    _git("init", "-q", cwd=path, env=env)
    _git("config", "user.name", "pre-commit test", cwd=path, env=env)
    _git("config", "user.email", "pre-commit-test@example.invalid", cwd=path, env=env)


def _commit_all(path: Path, env: dict[str, str], message: str) -> str:
    _git("add", "-A", cwd=path, env=env)
    _git("commit", "-q", "-m", message, cwd=path, env=env)
    return _git("rev-parse", "HEAD", cwd=path, env=env)


def _write(path: Path, source: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source), encoding="utf-8")


@dataclass(frozen=True)
class HookRepository:
    """The snapshot of this checkout that pre-commit installs, and the environment to run pre-commit in."""

    path: Path
    rev: str
    env: dict[str, str]


@pytest.fixture(scope="module")
def hook_repository(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HookRepository]:
    if importlib.util.find_spec("pre_commit") is None:
        pytest.fail("pre-commit is not installed: it is a test dependency (pip install -e '.[test]')")
    if shutil.which("git") is None:
        pytest.fail("git is not installed: pre-commit needs it")
    base = tmp_path_factory.mktemp("precommit")
    env = _clean_env(base / "pre-commit-home")
    snapshot = base / "hooks-repository"
    _new_repository(snapshot, env)
    for name in SNAPSHOT_FILES:
        shutil.copy2(ROOT / name, snapshot / name)
    for name in OPTIONAL_FILES:
        if (ROOT / name).is_file():
            shutil.copy2(ROOT / name, snapshot / name)
    shutil.copytree(ROOT / PACKAGE, snapshot / PACKAGE,
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info"))
    rev = _commit_all(snapshot, env, "snapshot of the working tree")
    yield HookRepository(snapshot, rev, env)


def _pre_commit(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pre_commit", *args, "--color", "never"], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL)


def _output(result: subprocess.CompletedProcess[str]) -> str:
    return f"exit status {result.returncode}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"


def test_hooks_file_declares_both_hooks() -> None:
    text = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    for line in ("- id: flake8-async-pitfalls\n", "entry: flake8-async-pitfalls check\n",
                 "- id: flake8-async-pitfalls-fix\n", "entry: flake8-async-pitfalls fix\n"):
        assert line in text
    assert "--unsafe-fixes" not in text.split("entry: flake8-async-pitfalls fix", 1)[1].splitlines()[0]


def test_readme_shows_both_hooks_and_the_flake8_hook() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for line in ("-   id: flake8-async-pitfalls-fix\n", "-   id: flake8-async-pitfalls\n", "-   id: flake8\n",
                 "additional_dependencies: [flake8-async-pitfalls]\n", "(docs/pre-commit.md)"):
        assert line in readme


def test_docs_page_names_the_safe_and_unsafe_fixes_right() -> None:
    page = (ROOT / "docs" / "pre-commit.md").read_text(encoding="utf-8")
    safe_part = page.split("applies the **safe** fixes", 1)[1].split("Other fixes are **unsafe**", 1)[0]
    unsafe_part = page.split("Other fixes are **unsafe**", 1)[1].split("```", 1)[0]
    safety = {rule.code: rule.fix_safety for rule in ALL_RULES}
    assert set(re.findall(r"\[(APF\d{3})\]", safe_part)) == {c for c, s in safety.items() if s is FixSafety.SAFE}
    unsafe_named = set(re.findall(r"\[(APF\d{3})\]", unsafe_part))
    assert unsafe_named and all(safety[code] is FixSafety.UNSAFE for code in unsafe_named)
    for link in re.findall(r"\]\((rules/APF\d{3}\.md)\)", page):
        assert (ROOT / "docs" / link).is_file(), link


@pytest.mark.slow
def test_try_repo_check_fails_fix_repairs_then_check_passes(
        hook_repository: HookRepository, tmp_path: Path) -> None:
    env = hook_repository.env
    project = tmp_path / "project"
    _new_repository(project, env)
    _write(project / "app.py", SAFE_PITFALLS)
    _commit_all(project, env, "a file with pitfalls")
    before = (project / "app.py").read_text(encoding="utf-8")

    def try_repo(hook: str) -> subprocess.CompletedProcess[str]:
        return _pre_commit("try-repo", str(hook_repository.path), hook, "--ref", hook_repository.rev,
                           "--all-files", cwd=project, env=env)

    check = try_repo("flake8-async-pitfalls")
    assert check.returncode == 1, _output(check)
    assert "flake8-async-pitfalls" in check.stdout and "Failed" in check.stdout, _output(check)
    assert "app.py:6:12: APF404 " in check.stdout, _output(check)
    assert "app.py:7:5: APF201 " in check.stdout, _output(check)
    assert (project / "app.py").read_text(encoding="utf-8") == before  # the check hook changes nothing

    fix = try_repo("flake8-async-pitfalls-fix")
    assert fix.returncode == 1, _output(fix)
    assert "files were modified by this hook" in fix.stdout, _output(fix)
    assert "APF201 fixed" in fix.stdout and "APF404 fixed" in fix.stdout, _output(fix)
    after = (project / "app.py").read_text(encoding="utf-8")
    assert "loop = asyncio.get_running_loop()" in after and "await asyncio.sleep(1)" in after, after
    assert "time.sleep" not in after and "get_event_loop" not in after, after

    again = try_repo("flake8-async-pitfalls")
    assert again.returncode == 0, _output(again)
    assert "Passed" in again.stdout and "APF" not in again.stdout, _output(again)


@pytest.mark.slow
def test_config_with_unsafe_fixes_exclude_and_the_flake8_hook(
        hook_repository: HookRepository, tmp_path: Path) -> None:
    """A .pre-commit-config.yaml as a user writes it: the flake8 hook with the plugin (the form whose
    ``additional_dependencies`` names the package; here a local hook installing the snapshot), the fix hook
    with ``args: [--unsafe-fixes]`` and the check hook, all excluding legacy/."""
    env = hook_repository.env
    project = tmp_path / "project"
    _new_repository(project, env)
    _write(project / "app.py", UNSAFE_PITFALLS)
    _write(project / "legacy" / "old.py", LEGACY)
    _write(project / ".pre-commit-config.yaml", f"""\
        exclude: ^legacy/
        repos:
        -   repo: local
            hooks:
            -   id: flake8
                name: flake8 with flake8-async-pitfalls
                entry: flake8
                language: python
                types: [python]
                args: [--select=APF]
                additional_dependencies: ["{hook_repository.path.as_posix()}"]
        -   repo: {hook_repository.path.as_posix()}
            rev: {hook_repository.rev}
            hooks:
            -   id: flake8-async-pitfalls-fix
                args: [--unsafe-fixes]
            -   id: flake8-async-pitfalls
    """)
    _commit_all(project, env, "pitfalls and a pre-commit config")
    legacy = (project / "legacy" / "old.py").read_text(encoding="utf-8")

    first = _pre_commit("run", "--all-files", cwd=project, env=env)
    assert first.returncode == 1, _output(first)
    flake8_part, _, hooks_part = first.stdout.partition("flake8-async-pitfalls (fix)")
    assert "app.py:7:5: APF201 " in flake8_part and "app.py:11:12: APF303 " in flake8_part, _output(first)
    assert "legacy" not in first.stdout, _output(first)
    assert "files were modified by this hook" in hooks_part, _output(first)
    assert "APF303 fixed" in hooks_part and "APF201 fixed" in hooks_part, _output(first)
    fixed = (project / "app.py").read_text(encoding="utf-8")
    assert "await asyncio.to_thread(hashlib.pbkdf2_hmac, " in fixed, fixed
    assert "await asyncio.sleep(1)" in fixed, fixed
    assert (project / "legacy" / "old.py").read_text(encoding="utf-8") == legacy

    second = _pre_commit("run", "--all-files", cwd=project, env=env)
    assert second.returncode == 0, _output(second)
    assert second.stdout.count("Passed") == 3 and "Installing" not in second.stdout, _output(second)
