"""flake8-async-pitfalls: find the asyncio pitfalls that hurt real programs, and say how to fix them."""

__version__ = "0.1.0"
