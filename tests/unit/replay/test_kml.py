"""KML export of a run: valid XML in the KML and gx namespaces, one gx:Track per threat and
flown round with one <when> and <gx:coord> per stored path sample, times in ISO UTC from
the scenario epoch, events and platforms as Placemarks, and bad run directories."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from tate.errors import InputError
from tate.replay.kml import GX_NS, KML_NS, export_kml
from tests.unit.engine.test_engagement import DEFENDED, SCENARIO
from tests.unit.replay.test_czml import seconds, table, write_run

NS = {"k": KML_NS, "gx": GX_NS}


@pytest.fixture(scope="module", params=["defended", "undefended"])
def run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    text = DEFENDED if request.param == "defended" else SCENARIO
    out = write_run(text, tmp_path_factory.mktemp(request.param))
    assert export_kml(out) == out / "replay.kml"
    return out


def placemarks(run: Path) -> dict[str, ET.Element]:
    root = ET.parse(run / "replay.kml").getroot()
    assert root.tag == f"{{{KML_NS}}}kml"
    marks = root.findall(".//k:Placemark", NS)
    out = {m.get("id", ""): m for m in marks}
    assert len(out) == len(marks), "Placemark ids must be unique"
    return out


def test_one_gx_track_per_threat_and_flown_round(run: Path) -> None:
    marks = placemarks(run)
    root = ET.parse(run / "replay.kml").getroot()
    paths = table(run, "paths")
    ids = set(paths["id"])
    assert len(root.findall(".//gx:Track", NS)) == len(ids)
    tracked = {k.split("/", 1)[1] for k, m in marks.items() if m.find("gx:Track", NS)
               is not None}
    assert tracked == ids
    kinds = dict(zip(paths["id"], paths["kind"], strict=True))
    for pid in ids:
        assert f"{kinds[pid]}/{pid}" in marks


def test_track_times_and_coordinates_are_the_paths_table(run: Path) -> None:
    marks = placemarks(run)
    paths = table(run, "paths")
    ids = np.array(paths["id"])
    epoch = json.loads((run / "summary.json").read_text())["epoch_utc"]
    assert datetime.fromisoformat(epoch).utcoffset().total_seconds() == 0
    for pid in set(paths["id"]):
        kind = paths["kind"][int(np.flatnonzero(ids == pid)[0])]
        track = marks[f"{kind}/{pid}"].find("gx:Track", NS)
        assert track is not None
        whens = [w.text or "" for w in track.findall("k:when", NS)]
        coords = np.array([[float(x) for x in (c.text or "").split()]
                           for c in track.findall("gx:coord", NS)])
        rows = np.flatnonzero(ids == pid)
        rows = rows[np.argsort(np.array(paths["time_s"])[rows])]
        assert len(whens) == len(coords) == rows.size
        assert all(w.endswith("Z") for w in whens)
        t = np.array([seconds(run, w) for w in whens])
        np.testing.assert_allclose(t, np.array(paths["time_s"])[rows], atol=1e-6)
        assert np.all(np.diff(t) > 0)
        for k, col in enumerate(("lon_deg", "lat_deg")):
            np.testing.assert_allclose(coords[:, k], np.array(paths[col])[rows], atol=1e-7)
        np.testing.assert_allclose(coords[:, 2], np.array(paths["alt_m"])[rows], atol=0.01)


def test_events_and_platforms_are_placemarks(run: Path) -> None:
    marks = placemarks(run)
    ev, pl = table(run, "events"), table(run, "platforms")
    marked = {str(k): t for k, (e, t) in enumerate(zip(ev["event"], ev["time_s"], strict=True))
              if e in ("kill", "intercept-failed", "impact")}
    got = {k.split("/", 1)[1]: m for k, m in marks.items() if k.startswith("event/")}
    assert set(got) == set(marked)
    for k, m in got.items():
        stamp = m.find("k:TimeStamp/k:when", NS)
        assert stamp is not None and stamp.text is not None
        assert seconds(run, stamp.text) == pytest.approx(marked[k], abs=1e-6)
    want = {i for i, kind in zip(pl["id"], pl["kind"], strict=True) if kind in ("ship", "asset")}
    assert {k.split("/", 1)[1] for k in marks if k.startswith("platform/")} == want
    for i in want:
        coords = marks[f"platform/{i}"].find("k:Point/k:coordinates", NS)
        assert coords is not None and coords.text is not None
        lon, lat, _ = (float(x) for x in coords.text.split(","))
        j = pl["id"].index(i)
        assert (lat, lon) == pytest.approx((pl["lat_deg"][j], pl["lon_deg"][j]), abs=1e-7)


def test_bad_run_directories(run: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"summary\.json is missing"):
        export_kml(tmp_path)
    old = tmp_path / "old"
    shutil.copytree(run, old)
    (old / "track_states.parquet").unlink()
    with pytest.raises(InputError, match=r"track_states\.parquet is missing.*tate run"):
        export_kml(old)
    (old / "replay.kml").unlink()
    with pytest.raises(InputError):
        export_kml(old, tmp_path / "x.kml")
    assert not (tmp_path / "x.kml").exists()
