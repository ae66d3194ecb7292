"""One table of options, rendered both for flake8 (``add_options``) and for the command line."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any


def _split(value: object) -> tuple[str, ...]:
    """Accept a comma/newline separated string or an already split sequence (pyproject.toml gives lists).

    Items are separated by commas or newlines; an item without ``->`` may also hold several whitespace
    separated names (as flake8 lists allow), while ``pattern -> suggestion`` stays one item whatever the spaces
    around the arrow (the suggestion may contain spaces), normalized to ``pattern->suggestion``.
    """
    if value is None:
        return ()
    if isinstance(value, str):
        items: Iterable[str] = value.replace("\n", ",").split(",")
    elif isinstance(value, Sequence):
        items = (str(v) for v in value)
    else:
        raise ValueError(f"expected a comma-separated list, got {value!r}")
    result: list[str] = []
    for item in items:
        pattern, arrow, suggestion = item.partition("->")
        if arrow:
            result.append(f"{pattern.strip()}->{suggestion.strip()}")
        else:
            result.extend(item.split())
    return tuple(result)


def _positive_int(value: object) -> int:
    number = int(str(value).replace("_", ""))
    if number < 1:
        raise ValueError(f"expected a positive whole number, got {value!r}")
    return number


def _boolean(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"expected true or false, got {value!r}")


@dataclass(frozen=True, slots=True)
class Option:
    """One ``--apf-*`` option: its flag, the Settings field it fills, and how to read it."""

    flag: str
    dest: str
    help: str
    convert: Callable[[object], Any]
    default: Any
    is_list: bool = False
    is_flag: bool = False


DEFAULT_CPU_THRESHOLD = 1_000_000


@dataclass(frozen=True, slots=True)
class Settings:
    """What the rules may be configured with. Built once per run, shared by every file."""

    cpu_threshold: int = DEFAULT_CPU_THRESHOLD
    coroutine_functions: tuple[str, ...] = ()
    blocking_calls: tuple[str, ...] = ()  # "pattern" or "pattern->suggestion", for APF200
    project: bool = True
    project_depth: int = 8
    cache: bool = True  # keep the project index's module summaries on disk between runs


def _turn_off(flag: str, dest: str, help: str) -> Option:
    """A ``--apf-no-...`` flag: given (or ``true`` in a config file), it sets the boolean setting ``dest``
    to False."""
    return Option(flag=flag, dest=dest, help=help, convert=lambda value: not _boolean(value), default=False,
                  is_flag=True)


OPTIONS: tuple[Option, ...] = (
    Option(
        flag="--apf-cpu-threshold",
        dest="cpu_threshold",
        help="estimated loop iterations from which APF301 reports a loop in async code (default: 1000000)",
        convert=_positive_int,
        default=DEFAULT_CPU_THRESHOLD,
    ),
    Option(
        flag="--apf-coroutine-functions",
        dest="coroutine_functions",
        help="comma-separated fnmatch patterns of dotted names that are coroutine functions, "
        "e.g. pkg.mod.fetch,pkg.Client.get (for APF1xx)",
        convert=_split,
        default=(),
        is_list=True,
    ),
    _turn_off(
        "--apf-no-project", "project",
        "analyze each file alone: do not read the project's other modules (coroutine functions imported "
        "from them, and the call chains of APF209/APF402, are then not known)",
    ),
    Option(
        flag="--apf-project-depth",
        dest="project_depth",
        help="how many calls deep APF209/APF402 follow plain functions of the project (default: 8)",
        convert=_positive_int,
        default=8,
    ),
    _turn_off(
        "--apf-no-cache", "cache",
        "do not keep the summaries of the project's modules on disk between runs (kept by default under "
        "$FLAKE8_ASYNC_PITFALLS_CACHE_DIR, or ~/.cache/flake8-async-pitfalls)",
    ),
    Option(
        flag="--apf-blocking-calls",
        dest="blocking_calls",
        help="comma-separated project-specific blocking calls reported as APF200 in async code: fnmatch "
        "patterns of resolved dotted names, each optionally followed by '->suggestion', e.g. "
        "'mylib.sync_fetch->mylib.async_fetch,legacy.db.*'",
        convert=_split,
        default=(),
        is_list=True,
    ),
)

_DEST_TO_OPTION: Mapping[str, Option] = {opt.dest: opt for opt in OPTIONS}


def settings_from_mapping(values: Mapping[str, object]) -> Settings:
    """Build Settings from ``{dest: raw value}``; raw values may be strings (config files) or typed.

    Raises ``ValueError`` with the flag's name when a value is invalid.
    """
    kwargs: dict[str, Any] = {}
    for dest, raw in values.items():
        option = _DEST_TO_OPTION.get(dest)
        if option is None or raw is None:
            continue
        try:
            kwargs[dest] = option.convert(raw)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{option.flag}: {exc}") from None
    return dataclasses.replace(Settings(), **kwargs)


def register_flake8_options(option_manager: Any) -> None:
    """Declare every option to flake8's option manager (command line and config files)."""
    for option in OPTIONS:
        kwargs: dict[str, Any] = {
            "dest": f"apf_{option.dest}",
            "parse_from_config": True,
            "help": option.help,
        }
        if option.is_flag:
            kwargs["action"] = "store_true"
            kwargs["default"] = option.default
        else:
            # list values are split by _split, not by flake8: flake8's lists split on whitespace too, which
            # would cut 'pattern -> suggestion' apart
            kwargs["default"] = None
        option_manager.add_option(option.flag, **kwargs)


def settings_from_flake8(options: Any) -> Settings:
    """Read the values flake8 parsed into Settings."""
    return settings_from_mapping({opt.dest: getattr(options, f"apf_{opt.dest}", None) for opt in OPTIONS})
