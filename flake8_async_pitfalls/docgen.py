"""Generate the docs from the rules: a page per rule, the rules overview page, the README and docs index rule
tables, and the rules section of the site's navigation in mkdocs.yml.

    python -m flake8_async_pitfalls.docgen            # write docs/rules/*.md, the tables and the mkdocs.yml nav
    python -m flake8_async_pitfalls.docgen --check    # only report what is stale (exit status 1 if any)

A page is built from the rule's metadata (rules/base.py), its example pair (fixtures/examples/APFnnn/),
the blocking-call table entries with its code (knowledge/blocking.py) and the figures measured by running
the examples, recorded in fixtures/examples/measurements.json by scripts/record_examples.py. Generating the
docs never runs an example: it only reads that file, so the docs are reproducible and fast to check.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import os
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from .checker import check_tree
from .knowledge.blocking import BLOCKING_CALLS, Blocking
from .rules import ALL_RULES
from .rules.base import FixSafety, Rule
from .rules.blocking import BlockingCallRule
from .settings import OPTIONS, Option, Settings, settings_from_mapping

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES_DIR = Path("fixtures") / "examples"
MEASUREMENTS = EXAMPLES_DIR / "measurements.json"
RULES_DIR = Path("docs") / "rules"
INDEX = Path("docs") / "index.md"
RULES_INDEX = RULES_DIR / "index.md"
README = Path("README.md")
MKDOCS = Path("mkdocs.yml")
EXAMPLE_FILES = ("bad.py", "good.py", "expected_output.txt")

TABLE_START = "<!-- rules-table:start -->"
TABLE_END = "<!-- rules-table:end -->"
# the rules section of mkdocs.yml's nav lies between these comment lines (indented like the entries)
NAV_START = "# rules-nav:start"
NAV_END = "# rules-nav:end"

# the second-level headings of every rule page, in this order (tests/test_docs.py checks them)
HEADINGS = ("What it does", "Why is this bad?", "Example", "Use instead", "Verified by running", "Fix", "Options")

GENERATE_COMMAND = "python -m flake8_async_pitfalls.docgen"
RECORD_COMMAND = "python scripts/record_examples.py"

_PAGE_NAME = re.compile(r"^APF\d{3}\.md$")
_SETTINGS = re.compile(r"^#\s*apf-settings:\s*(.*)$")
_SETTINGS_LINES = 10

_PROBE_METHOD = {
    "stall": (
        "Each program's `main()` ran beside a heartbeat task that asks to wake every 5 ms; how much later "
        "than asked it woke is how long the event loop could not run any task."
    ),
    "never-awaited": (
        "Both programs ran as they are; the probe looked for Python's `was never awaited` warning and "
        "for output lines of the work that never appeared."
    ),
    "syntax": "Both programs were compiled with `compile()`, then the good one was run.",
    "error": "Both programs were run; the bad one must fail with the documented error, the good one complete.",
    "lint-only": (
        "Both programs were run. This pitfall is not a failure at run time on the Python that measured it, "
        "so the probe only checks that both complete with the same, expected output."
    ),
}


class DocgenError(Exception):
    """The docs cannot be generated faithfully (e.g. the linter fails on an example)."""


def examples_digest(directory: Path) -> str:
    """A fingerprint of an example pair, recorded with its measurements to tell when they are stale."""
    digest = hashlib.sha256()
    for name in EXAMPLE_FILES:
        path = directory / name
        digest.update(name.encode() + b"\0")
        digest.update(path.read_bytes() if path.is_file() else b"<missing>")
        digest.update(b"\0")
    return digest.hexdigest()


def load_measurements(root: Path = ROOT) -> dict[str, dict[str, Any]]:
    """The recorded measurements by rule code (empty when nothing was recorded yet)."""
    path = root / MEASUREMENTS
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a JSON object keyed by rule code")
    return {str(code): entry for code, entry in data.items() if isinstance(entry, dict)}


def table_entries(rule: Rule) -> list[tuple[str, Blocking]] | None:
    """The blocking-call table rows a rule reports, or None when the rule is not table-driven."""
    entries = [(key, entry) for key, entry in BLOCKING_CALLS.items() if entry.code == rule.code]
    if entries or isinstance(rule, BlockingCallRule):
        return entries
    return None


def _cell(text: str) -> str:
    """Text safe inside a markdown table cell."""
    return " ".join(text.split()).replace("|", "\\|")


def _suggestion_text(key: str, template: str) -> str:
    """A suggestion template shown with placeholders a reader understands."""
    try:
        return template.format(
            call=f"{key}(...)", func=key, args="...", to_thread=f"await asyncio.to_thread({key}, ...)",
        )
    except (KeyError, IndexError, ValueError):
        return template


def _calls_table(rule: Rule, entries: Sequence[tuple[str, Blocking]]) -> list[str]:
    lines = ["### Calls it looks for", ""]
    if not entries:
        if rule.options:
            given = ", ".join(f"`{flag}`" for flag in rule.options)
            lines += [f"No built-in calls: it looks for the calls given with {given} (see Options).", ""]
        else:
            lines += [f"_No calls have the code {rule.code} in `knowledge/blocking.py` yet._", ""]
        return lines
    lines += [
        "Names are matched after resolving imports and aliases. `Type.method` matches a method called on a "
        "value whose type is known (from its constructor, a `with ... as` target, an annotation); "
        "`name.*` matches every function of that module or every method of that type.",
        "",
        "| call | suggestion in the message |",
        "|---|---|",
    ]
    for key, entry in entries:
        lines.append(f"| `{_cell(key)}` | {_cell(_suggestion_text(key, entry.suggestion))} |")
    lines.append("")
    return lines


# rules whose findings rest on the coroutine-function knowledge (analysis/coroutines.py): their pages list
# the library coroutine functions and methods that knowledge holds
COROUTINE_TABLE_RULES = frozenset({"APF101", "APF102", "APF103"})


def _coroutine_table() -> list[str]:
    """The library coroutine functions and methods the lookup knows, one row per module or class."""
    from .knowledge.coroutines import COROUTINE_FUNCTIONS, COROUTINE_METHODS

    groups: dict[str, list[str]] = {}
    for name in COROUTINE_FUNCTIONS:
        owner, _, short = name.rpartition(".")
        groups.setdefault(f"`{owner}` (functions)", []).append(short)
    for name in COROUTINE_METHODS:
        owner, _, short = name.rpartition(".")
        groups.setdefault(f"`{owner}` (methods of an instance)", []).append(short)
    lines = [
        "### Library coroutine functions it knows",
        "",
        "Besides the `async def` functions of your project, calls of these are known to make coroutines "
        "(asyncio's from introspection, the libraries' generated from their sources by "
        "`scripts/gen_library_tables.py`); a method counts when the receiver's type is known. Add your own "
        "with `--apf-coroutine-functions`.",
        "",
        "| module or class | coroutine functions / methods |",
        "|---|---|",
    ]
    for owner in sorted(groups):
        lines.append(f"| {owner} | {_cell(', '.join(sorted(groups[owner])))} |")
    lines.append("")
    return lines


def _fence(text: str, lang: str) -> list[str]:
    fence = "```"
    while fence in text:
        fence += "`"
    return [f"{fence}{lang}", text.rstrip("\n"), fence]


def _read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.is_file() else None


def declared_settings(source: str) -> dict[str, str]:
    """The options an example declares in its first lines: ``# apf-settings: field=value; field=value``.

    The same format tests/fixture_markers.py ``read_settings`` reads (tests/test_docs.py checks they agree);
    the package cannot import the tests, hence this small twin.
    """
    values: dict[str, str] = {}
    for line in source.splitlines()[:_SETTINGS_LINES]:
        match = _SETTINGS.match(line.strip())
        if match is None:
            continue
        for item in match.group(1).split(";"):
            name, sep, value = item.partition("=")
            if sep:
                values[name.strip()] = value.strip()
    return values


def _settings_flags(values: Mapping[str, str], options: Sequence[Option]) -> list[str]:
    by_dest = {option.dest: option for option in options}
    flags = []
    for dest, value in values.items():
        option = by_dest.get(dest)
        flag = option.flag if option is not None else f"--apf-{dest.replace('_', '-')}"
        flags.append(flag if option is not None and option.is_flag else f"{flag}={value}")
    return flags


def _lint_lines(path: Path, source: str, settings: Settings) -> list[str]:
    """What flake8 prints for the example (file name, 1-based column, code, message)."""
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        return [f"{path.name}: does not parse: {exc.msg}"]
    # linted under its real path, as the example tests do; shown with the bare file name
    findings = check_tree(tree, str(path), source.splitlines(keepends=True), settings)
    broken = [f for f in findings if f.code == "APF000"]
    if broken:
        # a page must not teach a crash as the tool's output: fix the rule first
        raise DocgenError(f"linting {path} failed: {broken[0].message}")
    prefix = f"{path.parent}{os.sep}"
    return [f"{path.name}:{f.line}:{f.col + 1}: {f.code} {f.message.replace(prefix, '')}" for f in findings]


def _seconds(value: object) -> str:
    if not isinstance(value, (int, float)):
        return "n/a"
    return f"{value:.2f} s" if value >= 1 else f"{value * 1000:.0f} ms"


def _run_rows(probe: str, bad: Mapping[str, Any], good: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = []
    if probe == "stall":
        rows.append(("longest stretch the event loop was blocked", _seconds(bad.get("max_lag")),
                     _seconds(good.get("max_lag"))))
        rows.append(("run time of `main()`", _seconds(bad.get("elapsed")), _seconds(good.get("elapsed"))))
        return rows
    if probe == "syntax":
        rows.append(("compiles", "yes" if bad.get("compiled") else "no", "yes" if good.get("compiled") else "no"))
    elif probe == "never-awaited":
        rows.append(("warned `coroutine ... was never awaited`",
                     "yes" if bad.get("never_awaited_warning") else "no",
                     "yes" if good.get("never_awaited_warning") else "no"))

    def status(run: Mapping[str, Any]) -> str:
        code = run.get("returncode")
        return "not run" if code is None else str(code)

    if probe != "syntax":
        rows.append(("exit status", status(bad), status(good)))
    # the error probe's summary names the error line itself (the last stderr line may be a later warning)
    if probe != "error" and (bad.get("error") or good.get("error")):
        rows.append(("error", f"`{bad['error']}`" if bad.get("error") else "none",
                     f"`{good['error']}`" if good.get("error") else "none"))
    return rows


def _verified_section(rule: Rule, measurement: Mapping[str, Any] | None, has_examples: bool) -> list[str]:
    lines = ["## Verified by running", ""]
    if not has_examples:
        return lines + ["Not yet measured: this rule has no example pair yet.", ""]
    if measurement is None:
        return lines + [
            f"Not yet measured: run `{RECORD_COMMAND} {rule.code}` to run the examples and record the figures.",
            "",
        ]
    probe = str(measurement.get("probe", rule.probe))
    if not measurement.get("ok", False):
        problems = measurement.get("problems") or ["no details recorded"]
        lines += [
            "**The last recording did not confirm the pitfall** "
            f"({'; '.join(str(p) for p in problems)}); re-run `{RECORD_COMMAND} {rule.code}`.",
            "",
        ]
    summary = str(measurement.get("summary", "")).strip().rstrip(".")
    if summary:
        lines += [summary[0].upper() + summary[1:] + ".", ""]
    method = _PROBE_METHOD.get(probe)
    if method:
        lines += [method, ""]
    bad = measurement.get("bad")
    good = measurement.get("good")
    if isinstance(bad, dict) and isinstance(good, dict):
        lines += ["| | `bad.py` | `good.py` |", "|---|---|---|"]
        for label, bad_text, good_text in _run_rows(probe, bad, good):
            lines.append(f"| {_cell(label)} | {_cell(bad_text)} | {_cell(good_text)} |")
        lines.append("")
    python = " ".join(str(measurement[k]) for k in ("implementation", "python") if measurement.get(k))
    lines += [f"Measured with {python or 'an unrecorded Python'} by `{RECORD_COMMAND}` "
              f"(probe `{probe}`, tests/probes.py).", ""]
    return lines


def _fix_safety_text(rule: Rule) -> str:
    from .fixes import FIXERS  # what the autofix does, from the fixer that makes it

    safety = rule.fix_safety
    fixer = FIXERS.get(rule.code)
    what = f" `flake8-async-pitfalls fix` {fixer.description}." if fixer is not None else ""
    if safety is FixSafety.SAFE:
        return f"Autofix: safe.{what}"
    if safety is FixSafety.UNSAFE:
        return f"Autofix: unsafe (applied only with `--unsafe-fixes`).{what}"
    return "Autofix: none."


def _options_section(rule: Rule, options: Sequence[Option]) -> list[str]:
    lines = ["## Options", ""]
    if not rule.options:
        return lines + ["None.", ""]
    by_flag = {option.flag: option for option in options}
    for flag in rule.options:
        option = by_flag.get(flag)
        key = flag.lstrip("-")
        help_text = option.help if option is not None else "(not described in settings.OPTIONS)"
        setting = f"{key} = true" if option is not None and option.is_flag else f"{key} = ..."
        lines.append(f"- `{flag}` (config file: `{setting}`): {' '.join(help_text.split())}")
    return lines + [""]


def render_page(rule: Rule, root: Path = ROOT, measurements: Mapping[str, Mapping[str, Any]] | None = None,
                options: Sequence[Option] = OPTIONS) -> str:
    """The markdown page of one rule (docs/rules/APFnnn.md)."""
    if measurements is None:
        measurements = load_measurements(root)
    directory = root / EXAMPLES_DIR / rule.code
    bad = _read(directory / "bad.py")
    good = _read(directory / "good.py")
    expected = _read(directory / "expected_output.txt")
    example_link = f"../../{EXAMPLES_DIR.as_posix()}/{rule.code}"

    lines = [f"# {rule.code} {rule.name}", ""]
    summary = rule.summary.strip().rstrip(".")
    if summary:
        lines += [f"{summary[0].upper()}{summary[1:]}.", ""]

    lines += ["## What it does", "", rule.what.strip(), ""]
    entries = table_entries(rule)
    if entries is not None:
        lines += _calls_table(rule, entries)
    if rule.code in COROUTINE_TABLE_RULES:
        lines += _coroutine_table()

    lines += ["## Why is this bad?", "", rule.why.strip(), ""]

    lines += ["## Example", ""]
    if bad is None:
        lines += [f"_No example yet (`{EXAMPLES_DIR.as_posix()}/{rule.code}/bad.py` is missing)._", ""]
    else:
        lines += [f"[`bad.py`]({example_link}/bad.py):", "", *_fence(bad, "python"), ""]
        declared = declared_settings(bad)
        reported = _lint_lines(directory / "bad.py", bad, settings_from_mapping(declared))
        if reported:
            flags = _settings_flags(declared, options)
            given = f" (run with {', '.join(f'`{flag}`' for flag in flags)})" if flags else ""
            lines += [f"flake8{given} reports:", "", *_fence("\n".join(reported), "text"), ""]

    lines += ["## Use instead", ""]
    if good is None:
        lines += [f"_No example yet (`{EXAMPLES_DIR.as_posix()}/{rule.code}/good.py` is missing)._", ""]
    else:
        lines += [f"[`good.py`]({example_link}/good.py):", "", *_fence(good, "python"), ""]
        if expected:
            lines += ["It prints:", "", *_fence(expected, "text"), ""]

    measurement = measurements.get(rule.code)
    lines += _verified_section(rule, measurement, bad is not None and good is not None)

    lines += ["## Fix", "", rule.fix.strip(), "", _fix_safety_text(rule), ""]
    lines += _options_section(rule, options)
    return "\n".join(lines).rstrip("\n") + "\n"


def rules_table(rules: Iterable[Rule], link_prefix: str) -> str:
    """The markdown table of rules; each code links to ``{link_prefix}APFnnn.md``."""
    lines = ["| code | name | what is reported | autofix |", "|---|---|---|---|"]
    for rule in rules:
        safety = rule.fix_safety.value if rule.fix_safety is not None else "none"
        lines.append(f"| [{rule.code}]({link_prefix}{rule.code}.md) | {rule.name} | {_cell(rule.summary)} "
                     f"| {safety} |")
    return "\n".join(lines) + "\n"


def replace_table(text: str, table: str) -> str | None:
    """``text`` with the part between the rules-table markers replaced, or None without both markers."""
    start = text.find(TABLE_START)
    end = text.find(TABLE_END, start + len(TABLE_START)) if start >= 0 else -1
    if start < 0 or end < 0:
        return None
    return f"{text[: start + len(TABLE_START)]}\n{table}{text[end:]}"


def table_block(text: str) -> str | None:
    """The text between the rules-table markers, or None without both markers."""
    start = text.find(TABLE_START)
    end = text.find(TABLE_END, start + len(TABLE_START)) if start >= 0 else -1
    if start < 0 or end < 0:
        return None
    return text[start + len(TABLE_START): end]


FAMILIES = (
    ("1xx", "work that never runs: coroutines that are never awaited, tasks nobody keeps"),
    ("2xx", "blocking the event loop: sleeping, HTTP, subprocesses, files, sockets, locks, terminal input, "
            "database drivers, and project functions that block further down"),
    ("3xx", "CPU-heavy work in async code: big loops, busy waiting, password hashing and compression"),
    ("4xx", "mixing sync and async: `await` in a plain `def`, nested event loops, `for`/`with` where "
            "`async for`/`async with` is needed, `get_event_loop()`"),
)


def render_rules_index(rules: Sequence[Rule] = ALL_RULES) -> str:
    """The rules overview page (docs/rules/index.md): the families and the table of every rule."""
    lines = [
        "# Rules",
        "",
        f"Every rule has a page with what it reports, why it hurts, a bad and a good example program that were "
        f"both run (with the figures measured), the fix and its options. This page and the navigation are "
        f"generated from the rules by `{GENERATE_COMMAND}`.",
        "",
    ]
    lines += [f"- **{family}**: {text}" for family, text in FAMILIES]
    lines += [
        "",
        "The *autofix* column says what `flake8-async-pitfalls fix` does: *safe* fixes keep the program's meaning "
        "and are applied by default, *unsafe* ones change behaviour you should review and are applied only with "
        "`--unsafe-fixes`. Turning rules off, per file or per line, is described in "
        "[Configuration](../configuration.md).",
        "",
        rules_table(rules, "").rstrip("\n"),
    ]
    return "\n".join(lines) + "\n"


def nav_entries(rules: Sequence[Rule], indent: str) -> str:
    """The nav lines of the rule pages, one ``- APFnnn name: rules/APFnnn.md`` line per rule."""
    return "".join(f"{indent}- {rule.code} {rule.name}: {RULES_DIR.relative_to('docs').as_posix()}/{rule.code}.md\n"
                   for rule in rules)


def replace_nav(text: str, rules: Sequence[Rule]) -> str | None:
    """mkdocs.yml with the lines between the rules-nav comments replaced, or None without both comments."""
    lines = text.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if line.strip() == NAV_START]
    if len(starts) != 1:
        return None
    start = starts[0]
    ends = [i for i, line in enumerate(lines) if i > start and line.strip() == NAV_END]
    if not ends:
        return None
    indent = lines[start][: len(lines[start]) - len(lines[start].lstrip())]
    return "".join(lines[: start + 1]) + nav_entries(rules, indent) + "".join(lines[ends[0]:])


def expected_files(root: Path = ROOT, rules: Sequence[Rule] = ALL_RULES) -> dict[Path, str]:
    """Every generated file with its expected content (README, index and mkdocs.yml only when they have
    markers)."""
    measurements = load_measurements(root)
    files = {root / RULES_DIR / f"{rule.code}.md": render_page(rule, root, measurements) for rule in rules}
    files[root / RULES_INDEX] = render_rules_index(rules)
    for path, prefix in ((root / README, f"{RULES_DIR.as_posix()}/"), (root / INDEX, "rules/")):
        current = _read(path)
        if current is None:
            continue
        updated = replace_table(current, rules_table(rules, prefix))
        if updated is not None:
            files[path] = updated
    mkdocs = _read(root / MKDOCS)
    if mkdocs is not None:
        updated = replace_nav(mkdocs, rules)
        if updated is not None:
            files[root / MKDOCS] = updated
    return files


def stale_pages(root: Path = ROOT, rules: Sequence[Rule] = ALL_RULES) -> list[Path]:
    """Pages in docs/rules/ whose rule no longer exists."""
    codes = {rule.code for rule in rules}
    directory = root / RULES_DIR
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if _PAGE_NAME.match(p.name) and p.stem not in codes)


def generate(root: Path = ROOT, rules: Sequence[Rule] = ALL_RULES, check: bool = False) -> list[Path]:
    """Write (or, with ``check``, only compare) every generated file; return the ones that differed."""
    changed: list[Path] = []
    for path, content in expected_files(root, rules).items():
        if _read(path) == content:
            continue
        changed.append(path)
        if not check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
    for path in stale_pages(root, rules):
        changed.append(path)
        if not check:
            path.unlink()
    return changed


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m flake8_async_pitfalls.docgen",
        description="Generate docs/rules/*.md, the rules tables and the rules section of mkdocs.yml's nav.")
    parser.add_argument("--check", action="store_true", help="only report stale files; exit status 1 if any")
    parser.add_argument("--root", type=Path, default=ROOT, help="the project's root directory")
    args = parser.parse_args(argv)
    root: Path = args.root
    for path in (root / README, root / INDEX):
        text = _read(path)
        if text is not None and table_block(text) is None:
            print(f"{path.relative_to(root)}: no {TABLE_START} ... {TABLE_END} markers, table skipped")
    mkdocs = _read(root / MKDOCS)
    if mkdocs is not None and replace_nav(mkdocs, ALL_RULES) is None:
        print(f"{MKDOCS}: no '{NAV_START}' ... '{NAV_END}' comment lines, rules nav skipped")
    try:
        changed = generate(root, check=args.check)
    except DocgenError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for path in changed:
        print(f"{'stale' if args.check else 'updated'}: {path.relative_to(root)}")
    if args.check and changed:
        print(f"run `{GENERATE_COMMAND}` to update them", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
