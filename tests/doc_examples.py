"""Run the examples a documentation page shows, and compare what they print with what the page says.

A page's example project is made of its fenced code blocks that carry a file name,
```` ```python title="app.py" ````: each is written to that path of a fresh directory before the commands
run. ``.py`` files hold for the rest of the page; any other file (``setup.cfg``, ``pyproject.toml``, ...)
holds until the next ``##``/``###`` heading, so each section is its own scenario. Every ``console`` block
runs in such a directory: a line ``$ command`` runs the command, and the lines after it, up to the next
``$`` line, are what it must print (standard output and standard error together, in any order). Only
``flake8`` and ``flake8-async-pitfalls`` commands may appear; lines of other flake8 plugins installed in the
environment (codes other than APF, E, W, F, C9) are ignored.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

_FENCE_OPEN = re.compile(r"^(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_TITLE = re.compile(r'title="(?P<title>[^"]+)"')
_HEADING = re.compile(r"^#{2,3} ")
_FOREIGN_CODE = re.compile(r"^\S+:\d+:\d+: (?!(?:APF|E|W|F|C9)\d)[A-Z]+\d+ ")
COMMANDS = {
    "flake8": [sys.executable, "-m", "flake8"],
    "flake8-async-pitfalls": [sys.executable, "-m", "flake8_async_pitfalls.cli"],
}


@dataclass
class Command:
    line: int  # 1-based line of the page where the command is
    argv: list[str]
    expected: list[str]


@dataclass
class Run:
    """One console block: the files it runs with and its commands."""

    line: int
    files: dict[str, str]
    commands: list[Command]


@dataclass
class Page:
    runs: list[Run] = field(default_factory=list)
    unverified_files: list[tuple[int, str]] = field(default_factory=list)  # config files no command used


def _blocks(text: str) -> list[tuple[int, str, str, str]]:
    """(line, kind, info, body) for each heading ('heading') and fenced block ('fence') of a markdown text."""
    found: list[tuple[int, str, str, str]] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        match = _FENCE_OPEN.match(line)
        if match:
            fence = match.group("fence")
            body: list[str] = []
            end = index + 1
            while end < len(lines) and not (lines[end].startswith(fence) and not lines[end][len(fence):].strip()):
                body.append(lines[end])
                end += 1
            found.append((index + 1, "fence", match.group("info").strip(), "\n".join(body)))
            index = end + 1
            continue
        if _HEADING.match(line):
            found.append((index + 1, "heading", line, ""))
        index += 1
    return found


def _commands(start: int, body: str) -> list[Command]:
    commands: list[Command] = []
    for offset, line in enumerate(body.splitlines(), start=1):
        if line.startswith("$ "):
            argv = shlex.split(line[2:])
            if not argv or argv[0] not in COMMANDS:
                raise ValueError(f"line {start + offset}: only {', '.join(COMMANDS)} commands can be verified: {line}")
            commands.append(Command(start + offset, argv, []))
        elif commands:
            if line.strip():
                commands[-1].expected.append(line)
        elif line.strip():
            raise ValueError(f"line {start + offset}: output before any '$ command' line: {line}")
    return commands


def parse(text: str) -> Page:
    page = Page()
    python_files: dict[str, str] = {}
    config_files: dict[str, tuple[int, str]] = {}
    used: set[str] = set()

    def close_section() -> None:
        page.unverified_files.extend((line, name) for name, (line, _) in config_files.items() if name not in used)
        config_files.clear()
        used.clear()

    for line, kind, info, body in _blocks(text):
        if kind == "heading":
            close_section()
            continue
        title = _TITLE.search(info)
        if title is not None:
            name = title.group("title")
            if name.endswith(".py"):
                python_files[name] = body + "\n"
            else:
                config_files[name] = (line, body + "\n")
                used.discard(name)
            continue
        if info.split()[:1] == ["console"]:
            files = dict(python_files)
            files.update({name: content for name, (_, content) in config_files.items()})
            used.update(config_files)
            page.runs.append(Run(line, files, _commands(line, body)))
    close_section()
    return page


def _shown(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.strip() and not _FOREIGN_CODE.match(line)]


def execute(run: Run, directory: Path) -> list[str]:
    """Run the commands of one console block in ``directory``; return a message per mismatch."""
    for name, content in run.files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if not key.startswith(("FLAKE8", "APF_"))}
    env["HOME"] = str(directory.parent)  # (flake8 and the command line never climb into the home directory)
    problems: list[str] = []
    for command in run.commands:
        argv = [*COMMANDS[command.argv[0]], *command.argv[1:]]
        result = subprocess.run(argv, cwd=directory, env=env, capture_output=True, text=True, timeout=300)
        printed = _shown(result.stdout + "\n" + result.stderr)
        if sorted(printed) != sorted(command.expected):
            expected = "\n".join(f"    {line}" for line in command.expected) or "    (nothing)"
            got = "\n".join(f"    {line}" for line in printed) or "    (nothing)"
            problems.append(f"line {command.line}: $ {shlex.join(command.argv)}\n  the page shows:\n{expected}\n"
                            f"  it prints (exit status {result.returncode}):\n{got}")
    return problems
