"""Session set-up shared by every test module."""

from __future__ import annotations

import os
import tempfile

# The project index keeps module summaries on disk between runs (analysis/summary_cache.py). The tests
# must neither read a developer's cache nor leave entries behind: they get a directory of their own, which
# subprocesses (the command line, flake8, pre-commit) inherit through the environment.
_CACHE = tempfile.TemporaryDirectory(prefix="apf-test-cache-")
os.environ["FLAKE8_ASYNC_PITFALLS_CACHE_DIR"] = _CACHE.name
