"""The disk cache of the project index's module summaries (analysis/summary_cache.py)."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from flake8_async_pitfalls.analysis import summary_cache
from flake8_async_pitfalls.analysis.project import ModuleSummary, ProjectIndex
from flake8_async_pitfalls.analysis.summary_cache import SummaryCache
from flake8_async_pitfalls.settings import Settings

PACKAGE = Path(__file__).resolve().parent.parent / "fixtures" / "project" / "shop"


@pytest.fixture()
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv(summary_cache.ENV_VAR, str(directory))
    return directory


@pytest.fixture()
def shop(tmp_path: Path) -> Path:
    copy = tmp_path / "src" / "shop"
    shutil.copytree(PACKAGE, copy)
    return copy


def _summaries(index: ProjectIndex, package: Path, settings: Settings,
               whole: bool = False) -> dict[str, ModuleSummary | None]:
    return {str(p): index.summary(str(p), settings, whole) for p in sorted(package.rglob("*.py"))}


def _no_builds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    built: list[str] = []
    original = ProjectIndex._build

    def counting(path: str, settings: Settings, whole: bool = False) -> ModuleSummary | None:
        built.append(path)
        return original(path, settings, whole)

    monkeypatch.setattr(ProjectIndex, "_build", staticmethod(counting))
    return built


def _touch_later(path: Path, text: str) -> None:
    before = path.stat().st_mtime_ns
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before + 5_000_000_000, before + 5_000_000_000))


def test_a_new_process_reads_summaries_instead_of_parsing(cache_dir: Path, shop: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings()
    first = _summaries(ProjectIndex(), shop, settings)
    assert any(first.values())
    built = _no_builds(monkeypatch)
    second = _summaries(ProjectIndex(), shop, settings)  # a fresh index: as in the next flake8 run
    assert built == []
    assert second == first  # the same functions, kinds, call sites and blocking calls, read back


def test_a_changed_module_is_summarized_again(cache_dir: Path, shop: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings()
    io_module = shop / "util" / "io.py"
    before = _summaries(ProjectIndex(), shop, settings, whole=True)[str(io_module)]
    assert before is not None
    assert ("APF201", "time.sleep") in [site[2] for function in before.functions.values() for site in function[4] or ()]
    _touch_later(io_module, io_module.read_text(encoding="utf-8").replace("time.sleep(0.2)", "pass"))
    built = _no_builds(monkeypatch)
    again = _summaries(ProjectIndex(), shop, settings, whole=True)
    assert built == [str(io_module)]
    summary = again[str(io_module)]
    assert summary is not None
    blocking = [site[2] for function in summary.functions.values() for site in function[4] or () if site[2]]
    assert ("APF201", "time.sleep") not in blocking


def test_an_outline_entry_is_replaced_by_the_whole_module_when_call_sites_are_needed(
        cache_dir: Path, shop: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings()
    io_module = str(shop / "util" / "io.py")
    outlined = ProjectIndex().summary(io_module, settings)
    assert outlined is not None and not outlined.complete  # only declarations were asked for
    assert any(f[4] is None for f in outlined.functions.values())
    built = _no_builds(monkeypatch)
    index = ProjectIndex()
    assert index.summary(io_module, settings) == outlined and built == []  # read back from the disk cache
    whole = index.summary(io_module, settings, whole=True)
    assert built == [io_module] and whole is not None and whole.complete
    assert all(f[4] is not None for f in whole.functions.values() if f[1] == "plain function")
    # declarations agree; the whole module's entry now serves both kinds of question
    assert {q: f[:4] for q, f in whole.functions.items()} == {q: f[:4] for q, f in outlined.functions.items()}
    assert (whole.exports, whole.class_bases) == (outlined.exports, outlined.class_bases)
    assert ProjectIndex().summary(io_module, settings) == whole and built == [io_module]


def test_an_entry_is_stale_when_a_module_it_was_made_with_changes(cache_dir: Path, shop: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Summarizing one module may consult others; the entry records them and is not used once they change."""
    settings = Settings()
    checkout, io_module = shop / "payments" / "checkout.py", shop / "util" / "io.py"
    original = ProjectIndex._build
    index = ProjectIndex()

    def consulting(path: str, settings: Settings, whole: bool = False) -> ModuleSummary | None:
        if path == str(checkout):
            index.summary(str(io_module), settings)  # as a decorator or base class from util.io would be
        return original(path, settings, whole)

    monkeypatch.setattr(ProjectIndex, "_build", staticmethod(consulting))
    index.summary(str(checkout), settings)
    assert [d[0] for d in index._dependencies[str(checkout)]] == [str(io_module)]

    monkeypatch.setattr(ProjectIndex, "_build", staticmethod(original))
    built = _no_builds(monkeypatch)
    ProjectIndex().summary(str(checkout), settings)
    assert built == []  # nothing changed: read from disk
    _touch_later(io_module, io_module.read_text(encoding="utf-8") + "\n")
    ProjectIndex().summary(str(checkout), settings)
    assert str(checkout) in built  # its dependency changed: made again


@pytest.mark.parametrize("garbage", [b"", b"{not json", b'{"module": 1}', b"\xff\xfe\x00binary", b"[]",
                                     b'{"module": [], "deps": [], "summary": {}}'])
def test_a_damaged_entry_is_rebuilt(cache_dir: Path, shop: Path, garbage: bytes) -> None:
    settings = Settings()
    path = str(shop / "util" / "io.py")
    good = ProjectIndex().summary(path, settings)
    cache = SummaryCache(settings)
    entry = Path(cache._entry(path))
    assert entry.is_file()
    entry.write_bytes(garbage)
    assert ProjectIndex().summary(path, settings) == good


def test_settings_that_change_summaries_get_their_own_entries(cache_dir: Path) -> None:
    plain = SummaryCache(Settings())
    assert SummaryCache(Settings(cpu_threshold=5, project_depth=2)).directory == plain.directory
    assert SummaryCache(Settings(coroutine_functions=("pkg.*",))).directory != plain.directory
    assert SummaryCache(Settings(blocking_calls=("legacy.*",))).directory != plain.directory


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_an_unwritable_cache_directory_is_not_used(tmp_path: Path, shop: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache directory should be")
    monkeypatch.setenv(summary_cache.ENV_VAR, str(blocked / "cache"))
    index = ProjectIndex()
    summaries = _summaries(index, shop, Settings())
    assert any(summaries.values())  # analysis goes on without the cache
    assert not index._disk[Settings()].usable


def test_no_cache_option_writes_nothing(cache_dir: Path, shop: Path) -> None:
    _summaries(ProjectIndex(), shop, Settings(cache=False))
    assert not cache_dir.exists()


def test_cache_directory_is_tagged(cache_dir: Path, shop: Path) -> None:
    _summaries(ProjectIndex(), shop, Settings())
    assert (cache_dir / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")


def test_flake8_findings_are_the_same_from_a_cold_and_a_warm_cache(cache_dir: Path) -> None:
    argv = [sys.executable, "-m", "flake8", "--isolated", "--select=APF", "-j1", str(PACKAGE)]
    env = {**os.environ, summary_cache.ENV_VAR: str(cache_dir)}
    cold = subprocess.run(argv, capture_output=True, text=True, check=False, env=env)
    assert "APF209" in cold.stdout and "APF101" in cold.stdout, cold.stdout + cold.stderr
    assert any(cache_dir.rglob("summaries-*/*"))
    warm = subprocess.run(argv, capture_output=True, text=True, check=False, env=env)
    uncached = subprocess.run([*argv, "--apf-no-cache"], capture_output=True, text=True, check=False, env=env)
    assert cold.stdout == warm.stdout == uncached.stdout


def test_read_only_cache_entries_do_not_break_a_run(cache_dir: Path, shop: Path) -> None:
    settings = Settings()
    _summaries(ProjectIndex(), shop, settings)
    directory = Path(SummaryCache(settings).directory)
    for entry in directory.iterdir():
        entry.chmod(stat.S_IRUSR)
    io_module = shop / "util" / "io.py"
    _touch_later(io_module, io_module.read_text(encoding="utf-8") + "\n")
    assert ProjectIndex().summary(str(io_module), settings) is not None  # rebuilt; replacing the entry works
