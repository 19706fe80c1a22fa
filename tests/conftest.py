"""Test-suite settings: hypothesis draws the same examples on every run (CI must not
depend on luck), and keeps no example database between runs."""

from __future__ import annotations

from hypothesis import settings

settings.register_profile("tate", derandomize=True, database=None, print_blob=True)
settings.load_profile("tate")
