"""The example harness: lint and run each rule's bad/good example pair with the rule's probe.

Used by tests/test_examples.py (assertions) and scripts/record_examples.py (figures for the docs), so the
docs show numbers measured by the very code the tests trust.

Each example directory ``fixtures/examples/APFnnn/`` holds ``bad.py``, ``good.py`` (complete programs
with an ``async def main()`` run by ``asyncio.run(main())`` under ``if __name__ == "__main__":``) and
``expected_output.txt``, the exact stdout of the good program.

Probes (Rule.probe):
- ``stall``: main() runs beside a heartbeat (tests/probe_runner.py). Bad: the loop was blocked for at
  least STALL_MIN_BAD seconds at a stretch. Good: its worst lag is at most a tenth of the bad one's.
- ``never-awaited``: the program runs as is. Bad: Python warns "coroutine ... was never awaited" or the
  work's output is missing. Good: no such warning and the full expected output.
- ``syntax``: bad does not compile (SyntaxError); good compiles and runs.
- ``error``: bad exits with an error whose text contains ``Rule.probe_error``; good completes.
- ``lint-only``: for a rule whose pitfall is not a runtime failure on the supported Pythons (APF404: a
  deprecated call that inside a coroutine still returns the right thing). Bad and good both complete and
  print the same, expected output; the summary says so, so the docs never claim a failure nobody measured.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from flake8_async_pitfalls.checker import check_tree
from flake8_async_pitfalls.rules.base import Rule
from tests.fixture_markers import read_settings

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "fixtures" / "examples"
RUNNER = Path(__file__).resolve().parent / "probe_runner.py"
STALL_MIN_BAD = 0.3  # seconds the bad example must block the loop
STALL_RATIO = 10.0  # the good example's worst lag is at most bad / STALL_RATIO
TIMEOUT = 60.0


@dataclass
class Run:
    """One run of one example program."""

    returncode: int | None = None
    stdout: str = ""
    stderr: str = ""
    compiled: bool = True
    max_lag: float | None = None
    elapsed: float | None = None
    never_awaited_warning: bool = False
    error: str = ""


@dataclass
class Verdict:
    """What the probe concluded for a pair, with the figures the docs show."""

    code: str
    probe: str
    ok: bool
    summary: str
    bad: Run = field(default_factory=Run)
    good: Run = field(default_factory=Run)
    problems: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        data = asdict(self)
        for side in ("bad", "good"):
            run = data[side]
            assert isinstance(run, dict)
            run.pop("stdout", None)
            run.pop("stderr", None)
        data.pop("problems", None)
        data.pop("ok", None)
        return data


def example_dir(code: str) -> Path:
    return EXAMPLES / code


def lint_codes(path: Path) -> list[str]:
    source = path.read_text(encoding="utf-8")
    findings = check_tree(ast.parse(source), str(path), source.splitlines(keepends=True), read_settings(path))
    return [f.code for f in findings]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONWARNINGS"] = "default"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.pop("PYTHONASYNCIODEBUG", None)
    return env


def _run_program(path: Path, stall: bool) -> Run:
    run = Run()
    source = path.read_text(encoding="utf-8")
    try:
        compile(source, str(path), "exec")
    except SyntaxError as exc:
        run.compiled = False
        run.error = f"SyntaxError: {exc.msg} (line {exc.lineno})"
        return run
    with tempfile.TemporaryDirectory() as tmp:
        result_file = Path(tmp) / "result.json"
        if stall:
            argv = [sys.executable, str(RUNNER), str(path), str(result_file)]
        else:
            argv = [sys.executable, str(path)]
        try:
            proc = subprocess.run(argv, capture_output=True, text=True, timeout=TIMEOUT, cwd=tmp, env=_env(),
                                  stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            run.error = f"timed out after {TIMEOUT:.0f} s"
            return run
        run.returncode = proc.returncode
        run.stdout = proc.stdout
        run.stderr = proc.stderr
        run.never_awaited_warning = "was never awaited" in proc.stderr
        if proc.returncode != 0:
            lines = [line for line in proc.stderr.strip().splitlines() if line.strip()]
            run.error = lines[-1] if lines else f"exit code {proc.returncode}"
        if stall and result_file.exists():
            figures = json.loads(result_file.read_text())
            run.max_lag = float(figures["max_lag"])
            run.elapsed = float(figures["elapsed"])
    return run


def _ms(seconds: float | None) -> str:
    if seconds is None:
        return "n/a"
    return f"{seconds:.2f} s" if seconds >= 1 else f"{seconds * 1000:.0f} ms"


def verify(rule: Rule, good_program: Path | None = None) -> Verdict:
    """Run the rule's example pair with its probe and judge it.

    ``good_program`` stands in for good.py: the autofixed bad.py is judged as a good program this way.
    """
    directory = example_dir(rule.code)
    bad_path, good_path = directory / "bad.py", good_program or directory / "good.py"
    expected_output = (directory / "expected_output.txt").read_text(encoding="utf-8")
    probe = rule.probe
    stall = probe == "stall"
    bad, good = _run_program(bad_path, stall), _run_program(good_path, stall)
    verdict = Verdict(rule.code, probe, False, "", bad, good)
    problems = verdict.problems
    if good.returncode != 0:
        problems.append(f"good example failed: {good.error}\n{good.stderr[-2000:]}")
    elif good.stdout != expected_output:
        problems.append(f"good example printed {good.stdout!r}, expected {expected_output!r}")
    if probe == "stall":
        if bad.max_lag is None or bad.returncode != 0:
            problems.append(f"bad example did not run: {bad.error}\n{bad.stderr[-2000:]}")
        elif bad.max_lag < STALL_MIN_BAD:
            problems.append(f"bad example blocked the loop only {_ms(bad.max_lag)} (< {STALL_MIN_BAD} s)")
        elif good.max_lag is None or good.max_lag > bad.max_lag / STALL_RATIO:
            problems.append(f"good example's worst lag {_ms(good.max_lag)} is not {STALL_RATIO:.0f}x "
                            f"below the bad one's {_ms(bad.max_lag)}")
        verdict.summary = (f"bad: the event loop was blocked for {_ms(bad.max_lag)} at a stretch; "
                           f"good: the worst loop lag was {_ms(good.max_lag)}")
    elif probe == "never-awaited":
        missing = [line for line in expected_output.splitlines() if line not in bad.stdout.splitlines()]
        if not (bad.never_awaited_warning or missing):
            problems.append("bad example neither warned 'never awaited' nor missed any expected output")
        if good.never_awaited_warning:
            problems.append("good example warned 'never awaited'")
        what = []
        if bad.never_awaited_warning:
            what.append("Python warned `RuntimeWarning: coroutine ... was never awaited`")
        if missing:
            what.append(f"{len(missing)} of {len(expected_output.splitlines())} expected output lines "
                        f"never appeared (e.g. `{missing[0]}`)")
        verdict.summary = "bad: " + " and ".join(what or ["nothing observed"]) + \
            "; good: the work ran and printed all its output, with no warning"
    elif probe == "syntax":
        if bad.compiled:
            problems.append("bad example compiled")
        if not good.compiled:
            problems.append(f"good example does not compile: {good.error}")
        verdict.summary = f"bad: `compile()` raised `{bad.error}`; good: compiled and ran"
    elif probe == "error":
        wanted = getattr(rule, "probe_error", "")
        if bad.returncode == 0 or wanted not in bad.stderr:
            problems.append(f"bad example did not fail with {wanted!r}: {bad.error}")
        # the line naming the error, not a warning printed after it (a never-awaited coroutine, say)
        named = [line.strip() for line in bad.stderr.splitlines() if wanted and wanted in line]
        verdict.summary = f"bad: failed with `{named[-1] if named else bad.error}`; good: completed"
    elif probe == "lint-only":
        if bad.returncode != 0:
            problems.append(f"bad example failed: {bad.error}\n{bad.stderr[-2000:]}")
        elif bad.stdout != expected_output:
            problems.append(f"bad example printed {bad.stdout!r}, expected the same as good: {expected_output!r}")
        verdict.summary = ("not a runtime failure on this Python: bad and good both completed with the same "
                           "output; the rule reports a deprecated spelling")
    else:
        problems.append(f"unknown probe {probe!r}")
    verdict.ok = not problems
    return verdict
