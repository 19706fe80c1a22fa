"""The offline Cesium viewer in a real browser: ``tate run`` of a small defended scenario,
``tate view`` (which runs the CZML export), headless chromium.

Oracles: ``replay.json`` written by the exporter (entity counts, clock span, events), the
run's own tables (``paths``, ``threats``, ``summary.json``) for what the selection panel
and summary strip show, and the ``ambiance`` package's US Standard Atmosphere 1976 for
the viewer's speed of sound.
"""

from __future__ import annotations

import json
import queue
import re
import subprocess
import sys
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq
import pytest

from tests.unit.engine.test_engagement import DEFENDED

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
SCREENSHOT = REPO / "out" / "test-artifacts" / "viewer.png"
READY_TIMEOUT_MS = 60_000  # software WebGL is slow


def _tate(*args: str) -> list[str]:
    return [sys.executable, "-m", "tate.cli", *args]


def _when(iso: str) -> datetime:
    return datetime.fromisoformat(iso)


@dataclass
class Session:
    """The viewer page and what it did."""

    url: str
    run_dir: Path
    replay: dict[str, Any]
    page: Any
    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def js(self, expr: str, arg: Any = None) -> Any:
        return self.page.evaluate(expr, arg)


def _start_view(run_dir: Path) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(_tate("view", str(run_dir)), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=REPO)
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)

    threading.Thread(target=read, daemon=True).start()
    seen = []
    try:
        while True:
            seen.append(lines.get(timeout=90))
            match = re.search(r"http://127\.0\.0\.1:\d+/", seen[-1])
            if match:
                return proc, match.group(0)
    except queue.Empty:
        proc.kill()
        err = proc.stderr.read() if proc.stderr else ""
        raise AssertionError(f"tate view printed no URL: {''.join(seen)} {err}") from None


@pytest.fixture(scope="module")
def session(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    base = tmp_path_factory.mktemp("viewer")
    (base / "defended.toml").write_text(DEFENDED)
    run_dir = base / "run"
    # (in a fresh checkout this run compiles the engine's kernels: minutes, not seconds)
    done = subprocess.run(_tate("run", str(base / "defended.toml"), "--out", str(run_dir),
                                "--seed", "5"), capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    assert not (run_dir / "replay.czml").exists()
    proc, url = _start_view(run_dir)  # exports the replay first: it is missing
    page = browser.new_page(viewport={"width": 1280, "height": 760})
    try:
        replay = json.loads((run_dir / "replay.json").read_text())
        s = Session(url, run_dir, replay, page)
        page.on("console", lambda m: s.console_errors.append(m.text) if m.type == "error"
                else None)
        page.on("pageerror", lambda e: s.console_errors.append(f"page error: {e}"))
        page.on("request", lambda r: s.requests.append(r.url))
        page.goto(url)
        page.wait_for_function("window.tateViewer && (tateViewer.ready || tateViewer.error)",
                               timeout=READY_TIMEOUT_MS)
        assert s.js("tateViewer.ready"), s.js("tateViewer.error")
        yield s
    finally:
        page.close()
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_every_exported_entity_is_in_the_scene(session: Session) -> None:
    total = session.replay["entities"]["total"]
    assert total > 0
    assert session.js("tateViewer.entities") == total
    ids = session.js("tateViewer.viewer.dataSources.get(0).entities.values.map(e => e.id)")
    kinds = {k: sum(i.startswith(k + "/") for i in ids) for k in session.replay["entities"]
             if k != "total"}
    assert kinds == {k: v for k, v in session.replay["entities"].items() if k != "total"}


def test_the_clock_spans_the_replay(session: Session) -> None:
    for ours, theirs in (("start", "start_utc"), ("stop", "stop_utc")):
        got = _when(session.js(f"tateViewer.{ours}"))
        assert abs((got - _when(session.replay[theirs])).total_seconds()) < 1e-3


def test_clicking_an_event_moves_the_clock_to_it(session: Session) -> None:
    events = session.replay["events"]
    start = session.replay["start_s"]
    k = next(i for i, e in enumerate(events) if e["time_s"] > start + 5.0)
    session.js("() => { const c = tateViewer.viewer.clock; c.shouldAnimate = false; "
               "c.currentTime = c.startTime.clone(); }")
    before = _when(session.js("tateViewer.currentTime()"))
    target = _when(events[k]["time_utc"])
    assert abs((before - target).total_seconds()) > 5.0  # the click has to move it
    item = session.page.locator("#event-list li").nth(k)
    assert events[k]["event"] in item.inner_text()
    item.click()
    after = _when(session.js("tateViewer.currentTime()"))
    assert abs((after - target).total_seconds()) < 1.0


def test_layer_toggles_show_and_hide_by_id_prefix(session: Session) -> None:
    shown = ("() => Object.fromEntries(tateViewer.viewer.dataSources.get(0).entities.values"
             ".map(e => [e.id, e.show]))")
    assert all(session.js(shown).values())
    box = session.page.locator("#layers input[data-prefix='threat/']")
    box.uncheck()
    state = session.js(shown)
    assert {i for i, v in state.items() if not v} == {i for i in state
                                                      if i.startswith("threat/")}
    box.check()
    assert all(session.js(shown).values())


def _panel(session: Session) -> dict[str, str]:
    rows = session.page.locator("#selected-table tr")
    return {rows.nth(i).locator("th").inner_text(): rows.nth(i).locator("td").inner_text()
            for i in range(rows.count())}


def test_the_selected_threat_shows_speed_mach_altitude_and_outcome(session: Session) -> None:
    from ambiance import Atmosphere

    paths = pq.read_table(session.run_dir / "paths.parquet").to_pydict()
    threats = pq.read_table(session.run_dir / "threats.parquet").to_pydict()
    tid, t = "CM-1", 15.0
    rows = [i for i, (p, k) in enumerate(zip(paths["id"], paths["kind"], strict=True))
            if p == tid and k == "threat"]
    times = np.array(paths["time_s"])[rows]
    speed = float(np.interp(t, times, np.array(paths["speed_mps"])[rows]))
    alt = float(np.interp(t, times, np.array(paths["alt_m"])[rows]))
    mach = speed / float(Atmosphere(alt).speed_of_sound[0])
    session.js("""([tid, t, epoch]) => {
        const v = tateViewer.viewer, c = v.clock;
        c.shouldAnimate = false;
        c.currentTime = Cesium.JulianDate.addSeconds(
            Cesium.JulianDate.fromIso8601(epoch), t, new Cesium.JulianDate());
        v.selectedEntity = v.dataSources.get(0).entities.getById("threat/" + tid);
    }""", [tid, t, session.replay["epoch_utc"]])
    panel = _panel(session)
    assert panel["kind"].startswith("threat")
    assert panel["id"] == tid
    assert abs(float(panel["speed"].removesuffix(" m/s")) - speed) <= 1.0
    assert abs(float(panel["Mach"]) - mach) <= 0.006
    shown_alt = (float(panel["altitude"].removesuffix(" m")) if panel["altitude"].endswith(" m")
                 else 1000 * float(panel["altitude"].removesuffix(" km")))
    assert abs(shown_alt - alt) <= 1.0
    assert panel["outcome"] == threats["outcome"][threats["threat_id"].index(tid)]


@pytest.mark.parametrize("alt_m", [-2000.0, 0.0, 5000.0, 11000.0, 15000.0, 25000.0,
                                   40000.0, 49000.0, 60000.0, 75000.0, 81000.0])
def test_speed_of_sound_is_us76(session: Session, alt_m: float) -> None:
    from ambiance import Atmosphere

    want = float(Atmosphere(alt_m).speed_of_sound[0])
    assert abs(session.js("h => tateViewer.speedOfSound(h)", alt_m) - want) < 0.01


def test_no_mach_above_the_us76_layers(session: Session) -> None:
    assert session.js("[86000, 120000, -6000].map(h => tateViewer.speedOfSound(h))") == [
        None, None, None]
    # sea level of US76 (Table I): 340.294 m/s
    assert abs(session.js("tateViewer.speedOfSound(0)") - 340.294) < 0.001


def test_the_summary_strip_shows_the_run_summary(session: Session) -> None:
    summary = json.loads((session.run_dir / "summary.json").read_text())
    text = session.page.locator("#summary").inner_text()
    assert f"leakers {summary['leaked']}" in text
    assert f"killed {summary['killed']}" in text
    assert f"shots {summary['shots']}" in text
    for weapon, n in summary["rounds_by_weapon"].items():
        assert f"{weapon} {n}" in text
    for layer, n in summary["kills_by_layer"].items():
        assert (f"{layer} {n}" in text) == (n > 0)


def test_nothing_leaves_the_origin_and_nothing_errs(session: Session) -> None:
    page = session.page
    try:
        page.wait_for_function("tateViewer.tilesLoaded()", timeout=30_000)
    except Exception:  # the picture is a by-product; slow tiles do not fail the test
        pass
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))
    print(f"viewer screenshot: {SCREENSHOT}")
    origin = urllib.parse.urlsplit(session.url)
    foreign = []
    for url in session.requests:
        parts = urllib.parse.urlsplit(url)
        inner = urllib.parse.urlsplit(parts.path) if parts.scheme == "blob" else parts
        if parts.scheme == "data":
            continue
        if (inner.scheme, inner.netloc) != (origin.scheme, origin.netloc):
            foreign.append(url)
    assert foreign == []
    paths = {urllib.parse.urlsplit(u).path for u in session.requests}
    assert {"/cesium/Cesium.js", "/run/replay.czml", "/run/replay.json"} <= paths
    assert any(p.startswith("/cesium/Assets/Textures/NaturalEarthII/") for p in paths)
    assert session.console_errors == []
