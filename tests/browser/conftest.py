"""Browser tests: Playwright for Python driving Debian's chromium (headless, software
WebGL) against ``tate view``.

Needs ``/usr/bin/chromium`` (or ``$TATE_CHROMIUM``), the ``playwright`` package and the
Cesium build (``npm ci``); ``make test`` installs all three.  Where one is missing the
tests are skipped with the reason, except under CI (``$CI`` set), where they fail.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tate.viewer.server import CESIUM_ENV, default_cesium_dir

CHROMIUM = Path(os.environ.get("TATE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: drives headless chromium through Playwright (tests/browser)")


def _missing() -> list[str]:
    why = []
    if not CHROMIUM.is_file():
        why.append(f"no chromium at {CHROMIUM} (apt-get install chromium)")
    if importlib.util.find_spec("playwright") is None:
        why.append("the playwright package is not installed (pip install playwright==1.63.0)")
    cesium = Path(os.environ.get(CESIUM_ENV) or default_cesium_dir())
    if not (cesium / "Cesium.js").is_file():
        why.append(f"no Cesium build at {cesium} (npm ci --no-audit --no-fund)")
    return why


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless chromium for the session."""
    why = _missing()
    if why:
        (pytest.fail if os.environ.get("CI") else pytest.skip)("; ".join(why))
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                              args=CHROMIUM_ARGS)
        yield b
        b.close()
