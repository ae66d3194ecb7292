"""The ``flake8-async-pitfalls`` command: check, fix, explain, rules.

    flake8-async-pitfalls check [PATHS] [--format text|json|sarif|github]
    flake8-async-pitfalls fix [PATHS] [--unsafe-fixes] [--diff]
    flake8-async-pitfalls explain APF201
    flake8-async-pitfalls rules [--format text|json]

Exit status: 0 nothing found, 1 findings (a file that does not parse counts: E999), 2 a usage error, an
invalid configuration, or a path that could not be checked (missing, unreadable, a symlink loop) or an
internal error; the files that could be checked are still checked and reported.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from . import __version__, docgen
from . import config as configuration
from .config import (
    EXTRA_EXCLUDE, SELECTION_KEYS, SYNTAX_ERROR, Config, ConfigError, RawConfig, Value, build, load_files,
)
from .discover import STDIN, Discovery, Problem, describe_os_error, discover
from .lint import Report, decode, lint_text
from .output import (
    DOCS_PAGE, FORMATS, FileFix, TOOL_NAME, docs_uri, file_fix, github_lines, json_text, rules_json, rules_table,
    sarif_log, text_lines,
)
from .rules import ALL_RULES, RULES_BY_CODE
from .rules.base import Finding, Rule
from .settings import OPTIONS

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2

_CODE = re.compile(r"^[A-Za-z]{3}\d{3}$")
_EXAMPLE_SECTIONS = ("Example", "Use instead", "Verified by running")


class _Parser(argparse.ArgumentParser):
    """argparse, with the tool's name on usage errors (which exit with status 2)."""

    def error(self, message: str) -> Any:
        self.print_usage(sys.stderr)
        self.exit(EXIT_ERROR, f"{TOOL_NAME}: error: {message}\n")


# -- the command line -----------------------------------------------------------------------------------------

def _config_help() -> str:
    if configuration.TOML is None:
        toml_note = ("pyproject.toml is NOT read on this Python (it needs Python 3.11+ or the 'tomli' package): "
                     "only the flake8 config files are")
    else:
        toml_note = "then [tool.flake8-async-pitfalls] of the nearest pyproject.toml that has it"
    return (f"Configuration: the [flake8] section of setup.cfg, tox.ini or .flake8 (the first found from the "
            f"working directory upwards), {toml_note}; the command line overrides both. Keys: "
            f"{', '.join(SELECTION_KEYS)} and the apf-* options above (in pyproject.toml also without 'apf-'). "
            f"Exit status: 0 nothing found, 1 findings (E999: a file that does not parse), 2 a usage or "
            f"configuration error, a path that could not be read, or an internal error.")


def _add_selection_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("selecting codes and files (as in flake8)")
    group.add_argument("--select", metavar="CODES",
                       help="comma-separated codes or prefixes to report (default: APF); APF2 selects APF2xx")
    group.add_argument("--ignore", metavar="CODES", help="comma-separated codes or prefixes not to report")
    group.add_argument("--extend-select", metavar="CODES", help="codes to report in addition to --select")
    group.add_argument("--extend-ignore", metavar="CODES", help="codes not to report in addition to --ignore")
    group.add_argument("--per-file-ignores", metavar="MAPPING",
                       help="'pattern:codes' pairs, e.g. 'tests/*:APF201 scripts/*:APF2'")
    group.add_argument("--exclude", metavar="PATTERNS",
                       help="comma-separated fnmatch patterns of files and directories to skip, matched against "
                            "the base name or the absolute path (replaces the default: flake8's list plus "
                            f"{', '.join(EXTRA_EXCLUDE)})")
    group.add_argument("--extend-exclude", metavar="PATTERNS", help="patterns to skip in addition to --exclude")
    group.add_argument("--no-gitignore", action="store_true",
                       help="walk directories without skipping what .gitignore ignores")
    group.add_argument("--config", metavar="FILE",
                       help="read only this config file (a pyproject.toml, or a file with a [flake8] section)")
    group.add_argument("--isolated", action="store_true", help="read no config file")
    group.add_argument("--stdin-display-name", metavar="NAME", default="stdin",
                       help="the file name to report for '-' (standard input) (default: stdin)")


def _add_rule_options(parser: argparse.ArgumentParser) -> None:
    """Every option of settings.OPTIONS, rendered from that one table."""
    group = parser.add_argument_group("rule options (also config keys, without the dashes)")
    for option in OPTIONS:
        dest = f"apf_{option.dest}"
        if option.is_flag:
            group.add_argument(option.flag, dest=dest, action="store_const", const=True, default=None,
                               help=option.help)
        else:
            metavar = "PATTERNS" if option.is_list else "N"
            group.add_argument(option.flag, dest=dest, metavar=metavar, default=None, help=option.help)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=TOOL_NAME,
        description="Find asyncio pitfalls (the APF codes of the flake8 plugin) and fix them.",
        epilog=("Exit status: 0 nothing found, 1 findings, 2 usage or configuration error, a path that could not "
                "be checked, or an internal error."),
    )
    parser.add_argument("--version", action="version", version=f"{TOOL_NAME} {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    check = commands.add_parser(
        "check", help="report findings (the same as flake8 with the plugin)",
        description="Report the findings in PATHS, as flake8 with this plugin would, honouring # noqa.",
        epilog=_config_help())
    check.add_argument("paths", nargs="*", default=["."], metavar="PATHS",
                       help="files and directories to check; '-' reads standard input (default: .)")
    check.add_argument("--format", choices=FORMATS, default="text",
                       help="text (flake8's lines), json, sarif (SARIF 2.1.0, for code scanning) or github "
                            "(workflow annotations) (default: text)")
    check.add_argument("--no-fixes", action="store_true",
                       help="leave the fixes out of the SARIF log (making them parses each file with a fixable "
                            "finding with libcst, which can cost a few times the check itself)")
    check.add_argument("--exit-zero", action="store_true", help="exit with status 0 even when there are findings")
    _add_selection_options(check)
    _add_rule_options(check)

    fix = commands.add_parser(
        "fix", help="apply the autofixes (safe ones unless --unsafe-fixes)",
        description="Fix the findings in PATHS that have an autofix; report what was fixed, skipped and left.",
        epilog=_config_help())
    fix.add_argument("paths", nargs="*", default=["."], metavar="PATHS",
                     help="files and directories to fix (default: .)")
    fix.add_argument("--unsafe-fixes", action="store_true",
                     help="also apply the fixes that change behaviour you should review")
    fix.add_argument("--diff", action="store_true",
                     help="print a unified diff of the fixes and write nothing (the report goes to stderr)")
    _add_selection_options(fix)
    _add_rule_options(fix)

    explain = commands.add_parser("explain", help="print a rule's documentation page",
                                  description="Print the documentation page of one rule.")
    explain.add_argument("code", metavar="CODE", help="a rule code, e.g. APF201")

    rules = commands.add_parser("rules", help="list the rules", description="List every rule.")
    rules.add_argument("--format", choices=("text", "json"), default="text", help="text table or JSON")
    return parser


def _load_config(args: argparse.Namespace) -> Config:
    cwd = os.getcwd()
    raw: RawConfig = load_files(cwd, args.config, args.isolated)
    given: dict[str, Value] = {}
    for key in SELECTION_KEYS:
        value = getattr(args, key.replace("-", "_"))
        if value is not None:
            given[key] = Value(value, cwd, "command line")
    for option in OPTIONS:
        value = getattr(args, f"apf_{option.dest}")
        if value is not None:
            given[option.flag.lstrip("-")] = Value("true" if value is True else value, cwd, "command line")
    raw.update(given)
    return build(raw)


# -- check ----------------------------------------------------------------------------------------------------

@dataclass(slots=True)
class _Run:
    """The outcome of checking files: reports in file order, and the paths that could not be checked."""

    reports: list[Report] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    texts: dict[str, str] | None = None  # when wanted: the text of each file with a fixable finding


def _fixable(code: str) -> bool:
    rule = RULES_BY_CODE.get(code)
    return rule is not None and rule.fix_safety is not None


def _read(path: str, stdin_name: str) -> tuple[str, bytes]:
    """The display name and the bytes of a file (or of standard input for ``-``)."""
    if path == STDIN:
        return stdin_name, sys.stdin.buffer.read()
    with open(path, "rb") as handle:
        return path, handle.read()


def lint_path(path: str, config: Config, stdin_name: str, run: _Run) -> None:
    """Check one file into ``run``."""
    try:
        name, data = _read(path, stdin_name)
    except OSError as exc:
        run.problems.append(Problem(path, describe_os_error(exc)))
        return
    text = decode(data).text
    try:
        reports = lint_text(text, name, config.settings, config.selection)
    except (RecursionError, MemoryError):
        run.problems.append(Problem(name, "cannot check: the code is nested too deeply for Python's parser"))
        return
    except Exception as exc:  # a bug of ours must not hide the other files' findings
        run.problems.append(Problem(name, f"internal error, please report it: {type(exc).__name__}: {exc}"))
        return
    run.reports.extend(reports)
    if run.texts is not None and any(_fixable(r.code) for r in reports):
        run.texts[name] = text


def _discover(args: argparse.Namespace, config: Config) -> Discovery:
    discovery = discover(args.paths, config.exclude, use_gitignore=not args.no_gitignore)
    for path in discovery.excluded:
        print(f"{TOOL_NAME}: note: {path} is not checked: it matches an exclude pattern", file=sys.stderr)
    return discovery


def _print_problems(problems: Sequence[Problem], stream: TextIO) -> None:
    for problem in problems:
        print(f"{TOOL_NAME}: {problem}", file=stream)


def _warn_selection(config: Config) -> None:
    for note in config.notes:
        print(f"{TOOL_NAME}: warning: {note}", file=sys.stderr)
    if not config.selection.selects_any(RULES_BY_CODE):
        print(f"{TOOL_NAME}: warning: the selection ({', '.join(config.selection.select)}) selects no APF rule; "
              f"only syntax errors are reported", file=sys.stderr)


def _acceptor(config: Config, path: str) -> Callable[[Finding], bool]:
    """The fixer's filter: only the findings the selection reports for this file are fixed."""
    ignore = config.selection.ignore_for(path)

    def accept(finding: Finding) -> bool:
        return config.selection.reports(finding.code, ignore)

    return accept


def _sarif_fixes(run: _Run) -> dict[str, FileFix]:
    """The fixes of the reported findings that have one (safe and unsafe), made in one pass over the text
    that was checked, as SARIF offers them: nothing is written."""
    if not run.texts:
        return {}
    from .fixes import fix_source  # libcst is imported only when there is something to fix

    by_path: dict[str, list[Finding]] = {}
    for report in run.reports:
        if report.path in run.texts and report.finding is not None and _fixable(report.code):
            by_path.setdefault(report.path, []).append(report.finding)
    fixes: dict[str, FileFix] = {}
    for path, findings in by_path.items():
        text = run.texts[path]
        try:
            result = fix_source(text, findings, unsafe=True)
        except Exception:  # a fix that cannot be made is simply not offered
            continue
        if result.source != text:
            fixes[path] = file_fix(text, result.source, [(f.line, f.code) for f in result.applied])
    return fixes


def cmd_check(args: argparse.Namespace) -> int:
    config = _load_config(args)
    _warn_selection(config)
    discovery = _discover(args, config)
    run = _Run(problems=list(discovery.problems), texts={} if args.format == "sarif" and not args.no_fixes else None)
    for path in discovery.files:
        lint_path(path, config, args.stdin_display_name, run)
    if args.format == "text":
        for line in text_lines(run.reports):
            print(line)
    elif args.format == "json":
        print(json_text(run.reports, RULES_BY_CODE))
    elif args.format == "github":
        for line in github_lines(run.reports):
            print(line)
    else:
        log = sarif_log(run.reports, ALL_RULES, _sarif_fixes(run),
                        [(p.path, p.message) for p in run.problems])
        print(json.dumps(log, indent=2, ensure_ascii=False))
    _print_problems(run.problems, sys.stderr)
    if run.problems:
        return EXIT_ERROR
    return EXIT_FINDINGS if run.reports and not args.exit_zero else EXIT_CLEAN


# -- fix ------------------------------------------------------------------------------------------------------

def _unified_diff(path: str, old: str, new: str) -> str:
    return "".join(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                        fromfile=f"a/{path}", tofile=f"b/{path}"))


def _lint_quietly(text: str, path: str, config: Config) -> list[Report] | None:
    """The findings of a text (its own line endings are fine), or None when it is too deep to check."""
    try:
        return lint_text(text.replace("\r\n", "\n"), path, config.settings, config.selection)
    except (RecursionError, MemoryError):
        return None


def cmd_fix(args: argparse.Namespace) -> int:
    from .fixes import fix_file

    config = _load_config(args)
    _warn_selection(config)
    discovery = _discover(args, config)
    problems = list(discovery.problems)
    stream = sys.stderr if args.diff else sys.stdout
    fixed_count = 0
    left_count = 0
    verb = "would fix" if args.diff else "fixed"
    for path in discovery.files:
        if path == STDIN:
            problems.append(Problem(path, "fix works on files, not on standard input"))
            continue
        try:
            outcome = fix_file(Path(path), config.settings, unsafe=args.unsafe_fixes, dry_run=args.diff,
                               accept=_acceptor(config, path))
        except Exception as exc:  # a bug of ours must not stop the other files (the file is left as it was)
            problems.append(Problem(path, f"internal error, please report it: {type(exc).__name__}: {exc}"))
            continue
        # on an error nothing was written (read-only, changed meanwhile, ...): the file's own findings are left
        failed = outcome.error is not None
        if args.diff and outcome.changed and not failed:
            sys.stdout.write(_unified_diff(path, outcome.old_text, outcome.new_text))
        remaining = _lint_quietly(outcome.old_text if failed else outcome.new_text, path, config)
        if remaining is None:
            problems.append(Problem(path, outcome.error or "cannot check: the code is nested too deeply for "
                                                           "Python's parser"))
            continue
        if outcome.error is not None and not any(r.code == SYNTAX_ERROR for r in remaining):
            # (a file that does not parse is not an error here: it is a finding, E999, listed below)
            problems.append(Problem(path, outcome.error))
        for finding in () if failed else outcome.applied:
            fixed_count += 1
            print(f"{path}:{finding.line}:{finding.col + 1}: {finding.code} {verb}", file=stream)
        reasons = {} if failed else {(finding.line, finding.code): reason for finding, reason in outcome.skipped}
        for report in remaining:
            left_count += 1
            reason = reasons.get((report.line, report.code))
            if reason is None:
                print(text_lines([report])[0], file=stream)
            else:
                print(f"{path}:{report.line}:{report.column}: {report.code} left: {reason}", file=stream)
    plural = "" if fixed_count == 1 else "s"
    print(f"{verb} {fixed_count} finding{plural}, {left_count} left", file=stream)
    _print_problems(problems, sys.stderr)
    if problems:
        return EXIT_ERROR
    return EXIT_FINDINGS if left_count else EXIT_CLEAN


# -- explain and rules ----------------------------------------------------------------------------------------

def _repository_root() -> Path:
    """Where the docs generator looks for fixtures/examples (a source checkout; absent in a wheel)."""
    return docgen.ROOT


def _without_examples(page: str, rule: Rule) -> str:
    """The page rendered without the example files: their sections replaced by where the full page is."""
    where = docs_uri(rule.code) or f"{DOCS_PAGE.format(code=rule.code)} in the {TOOL_NAME} source repository"
    note = ["## Example", "",
            "The bad and good example programs, what the linter reports on them and the measurements of running "
            f"them are not installed with the package; they are on the full page: {where}", ""]
    kept: list[str] = []
    skipping = False
    for line in page.splitlines():
        if line.startswith("## "):
            heading = line[3:].strip()
            if heading in _EXAMPLE_SECTIONS:
                if heading == _EXAMPLE_SECTIONS[0]:
                    kept.extend(note)
                skipping = True
                continue
            skipping = False
        if not skipping:
            kept.append(line)
    return "\n".join(kept).rstrip("\n") + "\n"


def render_explanation(rule: Rule) -> str:
    """The rule's page: the full page in a source checkout, the metadata part when installed from a wheel."""
    root = _repository_root()
    has_examples = (root / docgen.EXAMPLES_DIR / rule.code / "bad.py").is_file()
    try:
        page = docgen.render_page(rule, root)
    except (docgen.DocgenError, OSError, ValueError):
        has_examples = False
        page = docgen.render_page(rule, root, measurements={})
    return page if has_examples else _without_examples(page, rule)


def cmd_explain(args: argparse.Namespace) -> int:
    code = str(args.code).strip().upper()
    rule = RULES_BY_CODE.get(code)
    if rule is None:
        hint = "" if _CODE.match(code) else " (codes look like APF201)"
        print(f"{TOOL_NAME}: error: unknown rule code {args.code!r}{hint}; "
              f"'{TOOL_NAME} rules' lists the rules", file=sys.stderr)
        return EXIT_ERROR
    sys.stdout.write(render_explanation(rule))
    return EXIT_CLEAN


def cmd_rules(args: argparse.Namespace) -> int:
    if args.format == "json":
        print(rules_json(ALL_RULES))
    else:
        for line in rules_table(ALL_RULES):
            print(line)
    return EXIT_CLEAN


_COMMANDS = {"check": cmd_check, "fix": cmd_fix, "explain": cmd_explain, "rules": cmd_rules}


def main(argv: Sequence[str] | None = None) -> int:
    """The console script: returns the exit status (0 clean, 1 findings, 2 errors)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return _COMMANDS[args.command](args)
    except ConfigError as exc:
        print(f"{TOOL_NAME}: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print(f"{TOOL_NAME}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader (e.g. `| head`) went away: nothing left to say
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FINDINGS
    except Exception as exc:  # a bug of ours: one clear line, and the traceback only on request
        if os.environ.get("APF_DEBUG"):
            raise
        print(f"{TOOL_NAME}: internal error, please report it (APF_DEBUG=1 shows the traceback): "
              f"{type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
