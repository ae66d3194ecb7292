"""flake8-async-pitfalls: find the asyncio pitfalls that hurt real programs, and say how to fix them."""

__version__ = "0.1.0"

# The documentation site (the mkdocs build of docs/, mkdocs.yml ``site_url``): rule pages are at
# ``{DOCS_URL}rules/APF201/``. The one place the tool links to (SARIF helpUri, ``rules --format json``).
DOCS_URL = "https://flake8-async-pitfalls.github.io/flake8-async-pitfalls/"
