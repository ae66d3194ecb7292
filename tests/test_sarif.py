"""Machine-readable output for CI, as a CI job produces it (the command line in a subprocess).

- ``--format sarif`` is validated against the official SARIF 2.1.0 JSON schema, kept verbatim in
  tests/data/sarif-schema-2.1.0.json (see tests/data/README.md), with the validator its ``$schema`` names
  and the ``uri`` / ``uri-reference`` formats checked; then what the schema cannot say is checked: results
  point at their rule (``ruleId`` / ``ruleIndex``) and at the finding (relative URI, 1-based UTF-16 columns),
  rules carry their help and the link to their page, fixes apply to give the ``fix`` command's result.
- ``--format github`` lines are parsed back as GitHub's runner parses workflow commands.
- The recipes of docs/ci.md are valid YAML and their commands run.

jsonschema is in the ``test`` extra: the import fails this module rather than skipping it.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit
from urllib.request import url2pathname

import jsonschema
import pytest
import yaml
from jsonschema.validators import validator_for

from flake8_async_pitfalls import DOCS_URL, __version__
from flake8_async_pitfalls.lint import Report
from flake8_async_pitfalls.output import github_lines
from flake8_async_pitfalls.rules import ALL_RULES, RULES_BY_CODE

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
EXAMPLES = FIXTURES / "examples"
SCHEMA_PATH = Path(__file__).resolve().parent / "data" / "sarif-schema-2.1.0.json"
# the OASIS SARIF 2.1.0 schema (errata 01, OS), as published: its hash pins the file against edits
SCHEMA_SHA256 = "ddddcccbf95c7c50c037b5b07eff4140556278ca574ff374db46786b5fce7949"
SCHEMA_ID = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
PSEUDO_CODES = ("E999", "APF000")
LEVELS = ("none", "note", "warning", "error")

# RFC 3986: an absolute URI (scheme ":" ...) and a URI reference, characters and %-escapes only
_URI_CHAR = r"(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})"
_URI = re.compile(rf"[A-Za-z][A-Za-z0-9+.\-]*:{_URI_CHAR}*")
_URI_REFERENCE = re.compile(rf"{_URI_CHAR}*")

# GitHub workflow commands: ::name key=value,key=value::data
_COMMAND = re.compile(r"^::(?P<name>[a-z-]+)(?: (?P<properties>[^\r\n]*?))?::(?P<data>[^\r\n]*)$")
_ANNOTATION_PROPERTY = re.compile(r"^(?:file=[^,:\r\n]+|line=[1-9]\d*|col=[1-9]\d*|title=[^,:\r\n]+)$")


# -- the schema and the validator -----------------------------------------------------------------------------

def _load_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


def _format_checker() -> jsonschema.FormatChecker:
    """The formats jsonschema checks with what is installed, plus ``uri`` and ``uri-reference`` (which it
    checks only with an optional package): SARIF's URIs must be real URIs, e.g. a path with a space escaped."""
    checker = jsonschema.FormatChecker()

    @checker.checks("uri")
    def _is_uri(value: object) -> bool:
        return not isinstance(value, str) or _URI.fullmatch(value) is not None

    @checker.checks("uri-reference")
    def _is_uri_reference(value: object) -> bool:
        return not isinstance(value, str) or _URI_REFERENCE.fullmatch(value) is not None

    return checker


@pytest.fixture(scope="module")
def validator() -> Any:
    schema = _load_schema()
    cls = validator_for(schema)
    assert cls is jsonschema.Draft4Validator, "the SARIF 2.1.0 schema is a draft-04 schema"
    cls.check_schema(schema)
    return cls(schema, format_checker=_format_checker())


def assert_valid(validator: Any, log: dict[str, Any]) -> None:
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
    described = [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}" for e in errors[:20]]
    assert not errors, f"{len(errors)} schema errors:\n" + "\n".join(described)


def test_the_schema_is_the_official_sarif_2_1_0_schema() -> None:
    data = SCHEMA_PATH.read_bytes()
    assert hashlib.sha256(data).hexdigest() == SCHEMA_SHA256
    schema = _load_schema()
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    assert schema["id"] == SCHEMA_ID
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    assert schema["properties"]["version"]["enum"] == ["2.1.0"]
    assert schema["required"] == ["version", "runs"]
    definitions = schema["definitions"]
    assert len(definitions) == 52
    assert {"run", "result", "reportingDescriptor", "toolComponent", "region", "fix", "replacement"} <= set(definitions)
    assert definitions["region"]["properties"]["startColumn"]["minimum"] == 1
    assert "README.md" in {p.name for p in SCHEMA_PATH.parent.iterdir()}


# -- running the command line ---------------------------------------------------------------------------------

def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "flake8_async_pitfalls.cli", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300, stdin=subprocess.DEVNULL)


# a non-ASCII file name in a directory with a space; a non-ASCII string before the call on its line, so its
# SARIF column (UTF-16 code units) differs from flake8's (UTF-8 bytes)
UNICODE_NAME = "dir with space/ünï_code.py"
UNICODE_SOURCE = """\
    import time


    async def tick():
        label = "é😀"; time.sleep(1)
        return label
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every rule's fixture file (hundreds of findings of all the rules, most with a fix), a file in an
    escaped path, a file that does not parse, and a clean one."""
    root = tmp_path_factory.mktemp("sarif_project")
    for fixture in sorted(FIXTURES.glob("APF*.py")):
        if not fixture.name.endswith(".fixed.py"):
            shutil.copy(fixture, root / fixture.name)
    unicode_file = root / UNICODE_NAME
    unicode_file.parent.mkdir()
    unicode_file.write_text(textwrap.dedent(UNICODE_SOURCE), encoding="utf-8")
    (root / "broken.py").write_text("def f(:\n", encoding="utf-8")
    shutil.copy(EXAMPLES / "APF201" / "good.py", root / "clean.py")
    return root


@pytest.fixture(scope="module")
def sarif_run(project: Path) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    result = run_cli("check", "--isolated", "--format", "sarif", ".", cwd=project)
    return result, json.loads(result.stdout)


@pytest.fixture(scope="module")
def json_findings(project: Path) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = json.loads(run_cli("check", "--isolated", "--format", "json", ".",
                                                     cwd=project).stdout)
    return items


def results_of(log: dict[str, Any]) -> list[dict[str, Any]]:
    run, = log["runs"]
    results: list[dict[str, Any]] = run["results"]
    return results


def physical(result: dict[str, Any]) -> dict[str, Any]:
    location, = result["locations"]
    found: dict[str, Any] = location["physicalLocation"]
    return found


def local_path(log: dict[str, Any], artifact: dict[str, Any]) -> Path:
    """The file an artifactLocation names, resolved as a SARIF consumer does (through originalUriBaseIds)."""
    base = log["runs"][0]["originalUriBaseIds"][artifact["uriBaseId"]]["uri"]
    uri = urljoin(base, artifact["uri"])
    parts = urlsplit(uri)
    assert parts.scheme == "file"
    return Path(url2pathname(parts.path))


# -- SARIF: valid against the schema --------------------------------------------------------------------------

def test_sarif_of_findings_is_valid(validator: Any,
                                    sarif_run: tuple[subprocess.CompletedProcess[str], dict[str, Any]]) -> None:
    result, log = sarif_run
    assert result.returncode == 1, result.stderr
    assert_valid(validator, log)
    results = results_of(log)
    codes = {r["ruleId"] for r in results}
    assert len(results) > 300 and len(codes - set(PSEUDO_CODES)) >= 20, "the fixtures should exercise most rules"
    assert "E999" in codes
    assert sum("fixes" in r for r in results) > 100, "and many fixes"


def test_sarif_of_a_clean_file_is_valid(validator: Any, project: Path) -> None:
    result = run_cli("check", "--isolated", "--format", "sarif", "clean.py", cwd=project)
    assert result.returncode == 0, result.stderr
    log = json.loads(result.stdout)
    assert_valid(validator, log)
    assert results_of(log) == []  # an actual scan: present and empty
    assert log["runs"][0]["invocations"] == [{"executionSuccessful": True, "toolExecutionNotifications": []}]


def test_sarif_with_a_path_that_could_not_be_checked_is_valid(validator: Any, project: Path) -> None:
    result = run_cli("check", "--isolated", "--format", "sarif", "--no-fixes", "clean.py", "missing.py",
                     cwd=project)
    assert result.returncode == 2
    log = json.loads(result.stdout)
    assert_valid(validator, log)
    invocation, = log["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    notification, = invocation["toolExecutionNotifications"]
    assert notification["level"] == "error"
    assert notification["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "missing.py"


def test_sarif_from_standard_input_is_valid(validator: Any, tmp_path: Path) -> None:
    source = textwrap.dedent(UNICODE_SOURCE)
    result = subprocess.run([sys.executable, "-m", "flake8_async_pitfalls.cli", "check", "--isolated", "--format",
                             "sarif", "--stdin-display-name", "pkg/app.py", "-"], cwd=tmp_path, input=source,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, result.stderr
    log = json.loads(result.stdout)
    assert_valid(validator, log)
    assert physical(results_of(log)[0])["artifactLocation"] == {"uri": "pkg/app.py", "uriBaseId": "%SRCROOT%"}


@pytest.mark.parametrize("breakage", [
    "column 0", "unknown level", "unknown result property", "relative helpUri", "space in uri", "no message",
])
def test_the_validation_has_teeth(validator: Any, breakage: str,
                                  sarif_run: tuple[subprocess.CompletedProcess[str], dict[str, Any]]) -> None:
    """The same log, broken in one place the way a writer could get it wrong, is rejected."""
    log = json.loads(json.dumps(sarif_run[1]))
    result = results_of(log)[0]
    if breakage == "column 0":
        physical(result)["region"]["startColumn"] = 0
    elif breakage == "unknown level":
        result["level"] = "warn"
    elif breakage == "unknown result property":
        result["severity"] = "high"
    elif breakage == "relative helpUri":
        log["runs"][0]["tool"]["driver"]["rules"][0]["helpUri"] = "rules/APF101.md"
    elif breakage == "space in uri":
        physical(result)["artifactLocation"]["uri"] = "dir with space/a.py"
    else:
        del result["message"]
    assert list(validator.iter_errors(log)), f"{breakage}: not rejected"


# -- SARIF: what the schema cannot check ----------------------------------------------------------------------

def test_sarif_driver_and_rules(sarif_run: tuple[subprocess.CompletedProcess[str], dict[str, Any]]) -> None:
    log = sarif_run[1]
    assert log["version"] == "2.1.0" and log["$schema"].startswith("https://")
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "flake8-async-pitfalls"
    assert driver["version"] == driver["semanticVersion"] == __version__
    assert driver["informationUri"] == DOCS_URL
    rules = driver["rules"]
    assert [r["id"] for r in rules] == [rule.code for rule in ALL_RULES] + list(PSEUDO_CODES)
    assert len({r["id"] for r in rules}) == len(rules)
    for descriptor in rules[:len(ALL_RULES)]:
        rule = RULES_BY_CODE[descriptor["id"]]
        assert descriptor["name"] == rule.name
        assert descriptor["shortDescription"]["text"] == " ".join(rule.summary.split())
        assert descriptor["fullDescription"]["text"].startswith(" ".join(rule.what.split()[:5]))
        page = f"{DOCS_URL}rules/{rule.code}/"
        assert descriptor["helpUri"] == page
        assert (ROOT / "docs" / "rules" / f"{rule.code}.md").is_file(), "the linked page is built from this file"
        help_ = descriptor["help"]
        assert " ".join(rule.fix.split()[:5]) in help_["text"] and page in help_["text"]
        assert rule.fix.strip() in help_["markdown"] and f"]({page})" in help_["markdown"]
        assert "## Why is this bad?" in help_["markdown"]
        assert descriptor["defaultConfiguration"]["level"] == "warning"
        properties = descriptor["properties"]
        assert properties["tags"][0] == "asyncio" and properties["tags"][1] in ("correctness", "performance")
        assert properties["fixSafety"] == (rule.fix_safety.value if rule.fix_safety else "none")
    for descriptor in rules[len(ALL_RULES):]:
        assert descriptor["defaultConfiguration"]["level"] == "error" and descriptor["help"]["text"]


def test_docs_url_is_the_site_url_of_the_docs() -> None:
    mkdocs = ROOT / "mkdocs.yml"
    if not mkdocs.is_file():
        pytest.skip("no mkdocs.yml in this checkout")
    match = re.search(r"^site_url:\s*(\S+)\s*$", mkdocs.read_text(encoding="utf-8"), re.MULTILINE)
    assert match and match[1] == DOCS_URL


def test_sarif_results_point_at_the_findings(sarif_run: tuple[subprocess.CompletedProcess[str], dict[str, Any]],
                                             json_findings: list[dict[str, Any]], project: Path) -> None:
    log = sarif_run[1]
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert run["columnKind"] == "utf16CodeUnits"
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": project.resolve().as_uri() + "/"}}
    seen = []
    for result in results_of(log):
        rule = rules[result["ruleIndex"]]
        assert rule["id"] == result["ruleId"]
        assert result["level"] in LEVELS and result["level"] == rule["defaultConfiguration"]["level"]
        assert result["message"]["text"] and "\n" not in result["message"]["text"]
        where = physical(result)
        artifact = where["artifactLocation"]
        assert artifact["uriBaseId"] == "%SRCROOT%"
        assert not urlsplit(artifact["uri"]).scheme and not artifact["uri"].startswith("/"), "relative to %SRCROOT%"
        path = local_path(log, artifact)
        assert path.is_file()
        region = where["region"]
        assert set(region) == {"startLine", "startColumn"}
        lines = path.read_text(encoding="utf-8").splitlines()
        assert 1 <= region["startLine"] <= max(len(lines), 1)
        seen.append((path.relative_to(project.resolve()).as_posix(), region["startLine"], result["ruleId"],
                     result["message"]["text"]))
    assert seen == [(item["path"].removeprefix("./"), item["line"], item["code"], item["message"])
                    for item in json_findings]
    # on an ASCII line, the UTF-16 column is flake8's column
    checked = 0
    for result, item in zip(results_of(log), json_findings):
        where = physical(result)
        text = local_path(log, where["artifactLocation"]).read_text(encoding="utf-8").splitlines()
        line_no = where["region"]["startLine"]
        if line_no <= len(text) and text[line_no - 1].isascii():
            assert where["region"]["startColumn"] == item["column"]
            checked += 1
    assert checked > 300


def test_sarif_escapes_paths_and_counts_utf16_columns(
        sarif_run: tuple[subprocess.CompletedProcess[str], dict[str, Any]], project: Path) -> None:
    log = sarif_run[1]
    result, = [r for r in results_of(log) if "space" in unquote(physical(r)["artifactLocation"]["uri"])]
    artifact = physical(result)["artifactLocation"]
    assert artifact["uri"] == "dir%20with%20space/%C3%BCn%C3%AF_code.py"
    assert local_path(log, artifact) == (project / UNICODE_NAME).resolve()
    line = textwrap.dedent(UNICODE_SOURCE).splitlines()[4]
    before = line[:line.index("time.sleep")]
    assert physical(result)["region"] == {"startLine": 5, "startColumn": len(before.encode("utf-16-le")) // 2 + 1}
    assert physical(result)["region"]["startColumn"] == len(before) + 2  # the emoji is 2 UTF-16 code units


# -- SARIF: fixes ---------------------------------------------------------------------------------------------

def _offset(lines: list[str], line: int, column: int) -> int:
    """Offset in the text of a 1-based (line, UTF-16 column) position; a line past the end is the end."""
    if line > len(lines):
        return sum(len(text) for text in lines)
    offset = sum(len(text) for text in lines[:line - 1])
    units = 0
    for index, char in enumerate(lines[line - 1]):
        if units >= column - 1:
            return offset + index
        units += len(char.encode("utf-16-le")) // 2
    return offset + len(lines[line - 1])


def apply_fix(text: str, fix: dict[str, Any]) -> str:
    """Apply a SARIF fix's replacements (all on one artifact) to the text."""
    change, = fix["artifactChanges"]
    lines = text.splitlines(keepends=True)
    edits = []
    for replacement in change["replacements"]:
        region = replacement["deletedRegion"]
        start = _offset(lines, region["startLine"], region["startColumn"])
        end = _offset(lines, region["endLine"], region["endColumn"])
        edits.append((start, end, replacement.get("insertedContent", {}).get("text", "")))
    edits.sort()
    for (_, end, _), (start, _, _) in zip(edits, edits[1:]):
        assert end <= start, "replacements overlap"
    for start, end, inserted in reversed(edits):
        text = text[:start] + inserted + text[end:]
    return text


def test_sarif_fixes_compile(sarif_run: tuple[subprocess.CompletedProcess[str], dict[str, Any]]) -> None:
    log = sarif_run[1]
    fixed = 0
    for result in results_of(log):
        for fix in result.get("fixes", []):
            assert fix["description"]["text"].startswith(result["ruleId"])
            change, = fix["artifactChanges"]
            assert change["artifactLocation"] == physical(result)["artifactLocation"]
            path = local_path(log, change["artifactLocation"])
            ast.parse(apply_fix(path.read_text(encoding="utf-8"), fix))
            fixed += 1
    assert fixed > 100


@pytest.mark.parametrize("code", ["APF105", "APF201", "APF403", "APF404"])
def test_a_sarif_fix_is_what_the_fix_command_writes(code: str, tmp_path: Path) -> None:
    shutil.copy(EXAMPLES / code / "bad.py", tmp_path / "app.py")
    log = json.loads(run_cli("check", "--isolated", "--format", "sarif", "app.py", cwd=tmp_path).stdout)
    result, = results_of(log)
    fix, = result["fixes"]
    offered = apply_fix((tmp_path / "app.py").read_text(encoding="utf-8"), fix)
    assert run_cli("fix", "--isolated", "app.py", cwd=tmp_path).returncode == 0
    assert offered == (tmp_path / "app.py").read_text(encoding="utf-8")


# -- GitHub workflow commands ---------------------------------------------------------------------------------

def _unescape(value: str, *, is_property: bool) -> str:
    table = {"%25": "%", "%0D": "\r", "%0A": "\n"}
    if is_property:
        table.update({"%3A": ":", "%2C": ","})
    return re.sub("|".join(table), lambda m: table[m[0]], value)


def parse_workflow_command(line: str) -> tuple[str, dict[str, str], str]:
    """A workflow command as GitHub's runner reads it: the name, the properties up to the first ``::``
    (split at ``,`` then at the first ``=``), the data after it; values unescaped."""
    match = _COMMAND.match(line)
    assert match, f"not a workflow command: {line!r}"
    properties = {}
    for item in (match["properties"] or "").split(","):
        key, sep, value = item.partition("=")
        assert sep and key, f"bad property {item!r} in {line!r}"
        properties[key] = _unescape(value, is_property=True)
    return match["name"], properties, _unescape(match["data"], is_property=False)


def test_github_format(project: Path, json_findings: list[dict[str, Any]]) -> None:
    result = run_cli("check", "--isolated", "--format", "github", ".", cwd=project)
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == len(json_findings)
    for line, item in zip(lines, json_findings):
        name, properties, message = parse_workflow_command(line)
        assert all(_ANNOTATION_PROPERTY.match(p) for p in line[2:].split("::")[0].split(" ", 1)[1].split(","))
        assert list(properties) == ["file", "line", "col", "title"]
        assert (properties["file"], int(properties["line"]), properties["title"]) == (
            item["path"].removeprefix("./"), item["line"], item["code"])
        assert name == ("error" if item["code"] in PSEUDO_CODES else "warning")
        assert message == item["message"]
        assert (project / properties["file"]).is_file()
        if (project / properties["file"]).read_text(encoding="utf-8").splitlines()[item["line"] - 1].isascii():
            assert int(properties["col"]) == item["column"]
    unicode_line, = [line for line in lines if "space" in line]
    assert unicode_line.startswith("::warning file=dir with space/ünï_code.py,line=5,col=20,title=APF201::")


def _reports() -> Iterator[Report]:
    yield Report("dir,x/a:b.py", 3, 1, "APF201", "50% done\r\nnext: line, then %0A", 1)
    yield Report("app.py", 1, 1, "E999", "SyntaxError: invalid syntax :: really", 1)
    yield Report("sub/./x.py", 7, 9, "APF101", "coroutine f() is never awaited; use 'await f()'", 9)


def test_github_escaping_round_trips() -> None:
    reports = list(_reports())
    lines = github_lines(reports)
    assert lines[0] == ("::warning file=dir%2Cx/a%3Ab.py,line=3,col=1,title=APF201::"
                        "50%25 done%0D%0Anext: line, then %250A")
    for report, line in zip(reports, lines):
        assert "\n" not in line and "\r" not in line
        name, properties, message = parse_workflow_command(line)
        assert name == ("error" if report.code == "E999" else "warning")
        assert properties == {"file": os.path.normpath(report.path), "line": str(report.line),
                              "col": str(report.utf16_column), "title": report.code}
        assert message == report.message


def test_github_paths_are_relative_to_the_working_directory(tmp_path: Path) -> None:
    inside = Report(str(tmp_path / "pkg" / "mod.py"), 2, 5, "APF201", "m", 5)
    outside = Report("/elsewhere/mod.py", 2, 5, "APF201", "m", 5)
    dotted = Report("./pkg/../pkg/mod.py", 2, 5, "APF201", "m", 5)
    lines = github_lines([inside, outside, dotted], cwd=str(tmp_path))
    files = [parse_workflow_command(line)[1]["file"] for line in lines]
    assert files == ["pkg/mod.py", "/elsewhere/mod.py", "pkg/mod.py"]


# -- docs/ci.md -----------------------------------------------------------------------------------------------

def _yaml_blocks(markdown: str) -> list[Any]:
    return [yaml.safe_load(block) for block in re.findall(r"^```yaml\n(.*?)^```", markdown, re.S | re.M)]


def _steps(workflow: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for job in workflow["jobs"].values():
        yield from job["steps"]


def test_ci_recipes_are_valid_workflows(tmp_path: Path) -> None:
    """The GitHub Actions workflows of docs/ci.md parse, grant what the SARIF upload needs, and each
    ``flake8-async-pitfalls`` / ``flake8`` command they run works here, with the documented exit status."""
    blocks = _yaml_blocks((ROOT / "docs" / "ci.md").read_text(encoding="utf-8"))
    workflows = [b for b in blocks if isinstance(b, dict) and "jobs" in b]
    assert len(workflows) >= 2
    uploads = [s for w in workflows for s in _steps(w) if "upload-sarif" in str(s.get("uses", ""))]
    assert uploads and all(s["uses"] == "github/codeql-action/upload-sarif@v3" for s in uploads)
    for workflow in workflows:
        for job in workflow["jobs"].values():
            if any("upload-sarif" in str(s.get("uses", "")) for s in job["steps"]):
                assert job["permissions"]["security-events"] == "write"
    commands = [line.strip() for w in workflows for s in _steps(w) for line in str(s.get("run", "")).splitlines()
                if line.strip().startswith(("flake8-async-pitfalls ", "flake8 "))]
    assert any("--format github" in c for c in commands) and any("--format sarif" in c for c in commands)
    shutil.copy(EXAMPLES / "APF201" / "bad.py", tmp_path / "app.py")
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}
    for command in commands:
        done = subprocess.run(["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=300, stdin=subprocess.DEVNULL)
        expected = 0 if "--exit-zero" in command else 1
        assert done.returncode == expected, f"{command}: {done.returncode}\n{done.stderr}"
        if "--format sarif" in command:
            sarif = tmp_path / command.rsplit(">", 1)[1].strip()
            assert results_of(json.loads(sarif.read_text(encoding="utf-8")))[0]["ruleId"] == "APF201"
