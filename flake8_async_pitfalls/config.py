"""The command line's configuration: config files found and read, merged with the command line.

Sources, each overriding the one before it key by key:

1. the ``[flake8]`` section of the first of ``setup.cfg``, ``tox.ini``, ``.flake8`` that has one, looked for
   in the working directory and then its parents (as flake8 looks for it);
2. the ``[tool.flake8-async-pitfalls]`` table of the nearest ``pyproject.toml`` that has one (read with
   ``tomllib``, or ``tomli`` on Python 3.10 when it is installed; without either it is not read);
3. the command line.

Keys are flake8's: ``select``, ``ignore``, ``extend-select``, ``extend-ignore``, ``per-file-ignores``,
``exclude``, ``extend-exclude``, and every ``apf-*`` option of ``settings.OPTIONS`` (in pyproject.toml
also without the ``apf-`` prefix). Relative paths in a file are relative to that file's directory.
"""

from __future__ import annotations

import configparser
import fnmatch
import os
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from flake8 import defaults as flake8_defaults  # type: ignore[import-untyped]
from flake8 import utils as flake8_utils

from .settings import OPTIONS, Option, Settings, settings_from_mapping

PYPROJECT_TABLE = "flake8-async-pitfalls"
FLAKE8_FILES = ("setup.cfg", "tox.ini", ".flake8")

# what is never worth walking into, on top of flake8's own default exclude list
EXTRA_EXCLUDE = (".venv", "venv", "build", "dist", "*.egg-info", ".mypy_cache", ".pytest_cache")
DEFAULT_EXCLUDE: tuple[str, ...] = (*flake8_defaults.EXCLUDE, *EXTRA_EXCLUDE)
DEFAULT_SELECT = ("APF",)

# codes the command line reports that are no rule: they are shown unless explicitly ignored
SYNTAX_ERROR = "E999"
INTERNAL_ERROR = "APF000"
ALWAYS_SHOWN = (SYNTAX_ERROR, INTERNAL_ERROR)

_CODE_PREFIX: re.Pattern[str] = flake8_defaults.VALID_CODE_PREFIX
_LIST_KEYS = ("select", "ignore", "extend-select", "extend-ignore")
_PATH_KEYS = ("exclude", "extend-exclude")
_MAPPING_KEYS = ("per-file-ignores",)
SELECTION_KEYS = (*_LIST_KEYS, *_PATH_KEYS, *_MAPPING_KEYS)
_OPTION_BY_KEY: Mapping[str, Option] = {option.flag.lstrip("-"): option for option in OPTIONS}


def _load_toml_module() -> ModuleType | None:
    if sys.version_info >= (3, 11):
        import tomllib

        return tomllib
    try:  # pragma: no cover - only on 3.10
        import tomli  # type: ignore[import-not-found,unused-ignore]
    except ImportError:  # pragma: no cover
        return None
    return tomli  # type: ignore[no-any-return,unused-ignore]  # pragma: no cover


TOML: ModuleType | None = _load_toml_module()


class ConfigError(Exception):
    """A config file or option value that cannot be used (a usage error: exit status 2)."""


@dataclass(frozen=True, slots=True)
class Value:
    """One configured value and where it came from (relative paths in it are relative to ``base``)."""

    raw: object
    base: str
    source: str


@dataclass(slots=True)
class RawConfig:
    """Configured values by key (dashes, no leading ``--``), and the files they were read from."""

    values: dict[str, Value] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def update(self, values: Mapping[str, Value]) -> None:
        self.values.update(values)


@dataclass(frozen=True, slots=True)
class Selection:
    """Which codes are reported, for which file: flake8's select/ignore/per-file-ignores decision.

    A code is reported when a ``select`` prefix matches it and no ``ignore`` prefix matches it, or when the
    longest matching select prefix is longer than the longest matching ignore prefix (``--select APF201
    --ignore APF2`` reports APF201). E999 and APF000 (the file could not be checked) are reported unless
    explicitly ignored. A file matching a per-file-ignores pattern adds that pattern's codes to ``ignore``
    (the longest matching pattern wins, as in flake8).
    """

    select: tuple[str, ...] = DEFAULT_SELECT
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def ignore_for(self, path: str) -> tuple[str, ...]:
        if not self.per_file_ignores:
            return self.ignore
        best: tuple[str, tuple[str, ...]] | None = None
        for pattern, codes in self.per_file_ignores:
            if path_matches(path, (pattern,)) and (best is None or len(pattern) > len(best[0])):
                best = (pattern, codes)
        return self.ignore if best is None else (*self.ignore, *best[1])

    def reports(self, code: str, ignore: Sequence[str] | None = None) -> bool:
        """Whether ``code`` is reported, given the ignore list of its file (default: the global one)."""
        ignore = self.ignore if ignore is None else ignore
        ignored = _longest_prefix(code, ignore)
        if code in ALWAYS_SHOWN:
            return ignored is None
        selected = _longest_prefix(code, self.select)
        if selected is None:
            return False
        return ignored is None or len(selected) > len(ignored)

    def selects_any(self, codes: Iterable[str]) -> bool:
        return any(self.reports(code) for code in codes)


def _longest_prefix(code: str, prefixes: Sequence[str]) -> str | None:
    best: str | None = None
    for prefix in prefixes:
        if code.startswith(prefix) and (best is None or len(prefix) > len(best)):
            best = prefix
    return best


def path_matches(path: str, patterns: Sequence[str]) -> bool:
    """flake8's exclude test: a pattern matches the file's base name or its absolute path (fnmatch)."""
    if not patterns:
        return False
    basename = os.path.basename(path)
    if basename not in ("", ".", "..") and any(fnmatch.fnmatch(basename, p) for p in patterns):
        return True
    absolute = os.path.abspath(path)
    return any(fnmatch.fnmatch(absolute, p) for p in patterns)


@dataclass(frozen=True, slots=True)
class Config:
    """Everything a run needs: the rules' settings, the selection, the excludes, and where they came from."""

    settings: Settings
    selection: Selection
    exclude: tuple[str, ...]
    files: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


# -- reading files --------------------------------------------------------------------------------------------

def _stat_key(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_ino, st.st_dev


def _parents(start: str) -> Iterable[str]:
    """``start`` and its parents, never climbing into the home directory (as flake8 looks: a ``~/.flake8`` is
    read only when run in the home directory itself)."""
    home = _stat_key(os.path.expanduser("~"))
    path = os.path.abspath(start)
    while True:
        yield path
        parent = os.path.dirname(path)
        if parent == path or (home is not None and _stat_key(parent) == home):
            return
        path = parent


def _normalize_key(key: str) -> str:
    return key.strip().lower().replace("_", "-")


def find_flake8_config(start: str) -> str | None:
    """The first setup.cfg / tox.ini / .flake8 with a ``[flake8]`` (or ``[flake8:local-plugins]``) section,
    from ``start`` upwards."""
    for directory in _parents(start):
        for name in FLAKE8_FILES:
            path = os.path.join(directory, name)
            if not os.path.isfile(path):
                continue
            parser = configparser.RawConfigParser()
            try:
                parser.read(path, encoding="utf-8")
            except (UnicodeDecodeError, configparser.Error):
                continue
            if parser.has_section("flake8") or parser.has_section("flake8:local-plugins"):
                return path  # (flake8 takes a file with either section as the config file)
    return None


def read_flake8_config(path: str) -> dict[str, Value]:
    """The keys of a ``[flake8]`` section this tool uses (other flake8 options are left to flake8)."""
    parser = configparser.RawConfigParser()
    try:
        if not parser.read(path, encoding="utf-8"):
            raise ConfigError(f"{path}: cannot read the config file")
    except (UnicodeDecodeError, configparser.Error) as exc:
        raise ConfigError(f"{path}: not a valid config file: {exc}") from None
    if not parser.has_section("flake8"):
        return {}
    base = os.path.dirname(os.path.abspath(path))
    values: dict[str, Value] = {}
    for key, raw in parser.items("flake8"):
        name = _normalize_key(key)
        if name in SELECTION_KEYS or name in _OPTION_BY_KEY:
            values[name] = Value(raw, base, f"{path} [flake8]")
    return values


def _has_our_table(path: str) -> bool:
    if TOML is None or not os.path.isfile(path):
        return False
    try:
        with open(path, "rb") as handle:
            data = TOML.load(handle)
    except (OSError, ValueError):
        return False
    return isinstance(data.get("tool"), dict) and PYPROJECT_TABLE in data["tool"]


def _pyproject_mentioning_us(start: str) -> str | None:
    """Without a TOML reader: the nearest pyproject.toml whose text has our table (to say it is not read)."""
    for directory in _parents(start):
        path = os.path.join(directory, "pyproject.toml")
        try:
            with open(path, encoding="utf-8", errors="replace") as handle:
                if f"[tool.{PYPROJECT_TABLE}]" in handle.read():
                    return path
        except OSError:
            continue
    return None


def find_pyproject(start: str) -> str | None:
    """The nearest pyproject.toml with a ``[tool.flake8-async-pitfalls]`` table, from ``start`` upwards."""
    if TOML is None:
        return None
    for directory in _parents(start):
        path = os.path.join(directory, "pyproject.toml")
        if _has_our_table(path):
            return path
    return None


def read_pyproject(path: str) -> dict[str, Value]:
    """The ``[tool.flake8-async-pitfalls]`` table; unknown keys are an error (they are likely typos)."""
    if TOML is None:
        raise ConfigError(f"{path}: reading pyproject.toml needs Python 3.11 or the 'tomli' package")
    try:
        with open(path, "rb") as handle:
            data: dict[str, Any] = TOML.load(handle)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except ValueError as exc:  # tomllib.TOMLDecodeError is a ValueError
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    table = data.get("tool", {}).get(PYPROJECT_TABLE, {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.{PYPROJECT_TABLE}] must be a table")
    base = os.path.dirname(os.path.abspath(path))
    values: dict[str, Value] = {}
    for key, raw in table.items():
        name = _normalize_key(key)
        if name not in SELECTION_KEYS and name not in _OPTION_BY_KEY and f"apf-{name}" in _OPTION_BY_KEY:
            name = f"apf-{name}"
        if name not in SELECTION_KEYS and name not in _OPTION_BY_KEY:
            known = ", ".join([*SELECTION_KEYS, *(k.removeprefix("apf-") for k in _OPTION_BY_KEY)])
            raise ConfigError(f"{path}: unknown key {key!r} in [tool.{PYPROJECT_TABLE}] (known: {known})")
        values[name] = Value(raw, base, f"{path} [tool.{PYPROJECT_TABLE}]")
    return values


def load_files(cwd: str, config_file: str | None = None, isolated: bool = False) -> RawConfig:
    """The configured values: an explicit ``config_file``, or the discovered flake8 file and pyproject."""
    raw = RawConfig()
    if isolated:
        return raw
    if config_file is not None:
        if not os.path.isfile(config_file):
            raise ConfigError(f"{config_file}: no such config file")
        if os.path.basename(config_file) == "pyproject.toml" or config_file.endswith(".toml"):
            raw.update(read_pyproject(config_file))
        else:
            raw.update(read_flake8_config(config_file))
        raw.files.append(config_file)
        return raw
    flake8_file = find_flake8_config(cwd)
    if flake8_file is not None:
        values = read_flake8_config(flake8_file)
        raw.update(values)
        raw.files.append(flake8_file)
    if TOML is None:
        unread = _pyproject_mentioning_us(cwd)
        if unread is not None:
            raw.notes.append(f"{unread} was not read: this Python has no tomllib and 'tomli' is not installed")
    else:
        pyproject = find_pyproject(cwd)
        if pyproject is not None:
            raw.update(read_pyproject(pyproject))
            raw.files.append(pyproject)
    return raw


# -- turning values into a Config -----------------------------------------------------------------------------

def _as_list(value: Value, key: str) -> list[str]:
    raw = value.raw
    if isinstance(raw, str):
        items: list[str] = flake8_utils.parse_comma_separated_list(raw)
        return items
    if isinstance(raw, (list, tuple)) and all(isinstance(item, str) for item in raw):
        return [item.strip() for item in raw if item.strip()]
    raise ConfigError(f"{value.source}: {key} must be a comma-separated string or a list of strings")


def _codes(value: Value | None, key: str) -> list[str] | None:
    if value is None:
        return None
    codes = _as_list(value, key)
    for code in codes:
        if not _CODE_PREFIX.match(code):
            raise ConfigError(
                f"{value.source}: {key}: {code!r} is not a code or code prefix (like APF, APF2 or APF201)")
    return codes


def _paths(value: Value | None, key: str) -> list[str] | None:
    if value is None:
        return None
    paths: list[str] = [flake8_utils.normalize_path(p, value.base) for p in _as_list(value, key)]
    return paths


def _per_file_ignores(value: Value | None) -> list[tuple[str, tuple[str, ...]]]:
    if value is None:
        return []
    raw = value.raw
    pairs: list[tuple[str, list[str]]]
    if isinstance(raw, dict):  # pyproject: {"tests/*" = ["APF201"]} or {"tests/*" = "APF201,APF202"}
        pairs = [(str(pattern), _as_list(Value(codes, value.base, value.source), "per-file-ignores"))
                 for pattern, codes in raw.items()]
    else:
        text = raw if isinstance(raw, str) else "\n".join(_as_list(value, "per-file-ignores"))
        try:
            pairs = flake8_utils.parse_files_to_codes_mapping(text)
        except Exception as exc:  # flake8's ExecutionError explains the expected shape
            raise ConfigError(f"{value.source}: {exc}") from None
    result = []
    for pattern, codes in pairs:
        for code in codes:
            if not _CODE_PREFIX.match(code):
                raise ConfigError(f"{value.source}: per-file-ignores: {code!r} is not a code or code prefix")
        result.append((flake8_utils.normalize_path(pattern, value.base), tuple(codes)))
    return result


def build(raw: RawConfig) -> Config:
    """The Config for the merged values; raises ConfigError on an invalid value."""
    values = raw.values
    select = _codes(values.get("select"), "select")
    ignore = _codes(values.get("ignore"), "ignore")
    selection = Selection(
        select=(*(DEFAULT_SELECT if select is None else select),
                *(_codes(values.get("extend-select"), "extend-select") or ())),
        ignore=(*(ignore or ()), *(_codes(values.get("extend-ignore"), "extend-ignore") or ())),
        per_file_ignores=tuple(_per_file_ignores(values.get("per-file-ignores"))),
    )
    exclude = _paths(values.get("exclude"), "exclude")
    exclude_all = (*(DEFAULT_EXCLUDE if exclude is None else exclude),
                   *(_paths(values.get("extend-exclude"), "extend-exclude") or ()))
    option_values: dict[str, object] = {}
    for key, option in _OPTION_BY_KEY.items():
        value = values.get(key)
        if value is None:
            continue
        raw_value = value.raw
        if option.is_flag and isinstance(raw_value, bool):
            raw_value = "true" if raw_value else "false"
        elif option.is_list and isinstance(raw_value, (list, tuple)):
            raw_value = ",".join(str(item) for item in raw_value)
        option_values[option.dest] = raw_value
    try:
        settings = settings_from_mapping(option_values)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    return Config(settings, selection, exclude_all, tuple(raw.files), tuple(raw.notes))
