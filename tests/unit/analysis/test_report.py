"""The study report: numbers on the page against DuckDB queries written here on the same
directory, self-containment, well-formed HTML with the expected sections.

The real study is a two-point sweep of a small engagement (two cruise missiles against
a thin magazine, so that runs leak); grid layouts the real study cannot cover cheaply
(two and three swept keys, many points, runs that raised) use the synthetic studies of
``test_metrics``.  Oracles: SQL in this file (not the metrics module), Wilson's interval
written out from its definition, the ``runs`` table's ``kills_<layer>`` counts for the
threats-killed-per-layer figures that the report takes from the ``threats`` table.
"""

from __future__ import annotations

import base64
import math
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from tate.analysis.report import write_report
from tate.analysis.store import connect, read_manifest
from tate.analysis.study import Study, run_study
from tate.errors import TateError
from tate.scenario import scenario_hash
from tate.scenario.loader import loads_scenario
from tests.unit.analysis.test_metrics import _wilson_ref, make_study

SCENARIO = """
name = "report test: two cruise missiles <i>&</i>"
epoch_utc = "2030-06-01T00:00:00Z"
time_limit_s = 300
seed = 5

[[ships]]
id = "DDG-1"
class = "ddg51-flight3"
lat_deg = 25.0
lon_deg = 150.0
heading_deg = 270
speed_kn = 15
magazine = { sm6-like = 1, essm-like = 1 }

[[threats]]
id = "CM-1"
model = "cruise"
launch = { lat_deg = 25.0, lon_deg = 149.8, time_s = { uniform = { low = 0, high = 20 } } }
aim = { ship = "DDG-1" }
speed_mps = 270
cruise_alt_m = 30

[[threats]]
id = "CM-2"
model = "cruise"
launch = { lat_deg = 25.1, lon_deg = 149.82, time_s = 10 }
aim = { ship = "DDG-1" }
speed_mps = 250
cruise_alt_m = 100
"""
KEY = "ships.DDG-1.magazine.essm-like"
SECTIONS = ("inputs", "summary-section", "sweep", "leakers-section", "layers-section",
            "magazine-section", "timelines", "cost-section", "tracking-section",
            "validation", "errors-section")
VOID = {"meta", "img", "br", "hr", "link", "input", "col", "source", "wbr"}


class _Page(HTMLParser):
    """Tables by id (rows of cell texts), section ids, image sources, and a check that
    every element is closed in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tables: dict[str, list[list[str]]] = {}
        self.sections: list[str] = []
        self.images: list[str] = []
        self.alts: list[str] = []
        self.pre: list[str] = []
        self._table: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag not in VOID:
            self.stack.append(tag)
        if tag == "table":
            self._table = a.get("id") or ""
            self.tables[self._table] = []
        elif tag == "tr" and self._table is not None:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table is not None:
            self._cell = []
        elif tag == "section":
            self.sections.append(a.get("id") or "")
        elif tag == "img":
            self.images.append(a.get("src") or "")
            self.alts.append(a.get("alt") or "")
        elif tag == "pre":
            self.pre.append("")

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()
        if tag in ("td", "th") and self._cell is not None and self._table is not None:
            self.tables[self._table][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self.stack and self.stack[-1] == "pre":
            self.pre[-1] += data


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    assert page.stack == [], f"unclosed elements {page.stack}"
    return page


def _rows(page: _Page, table: str) -> list[dict[str, str]]:
    head, *body = page.tables[table]
    return [dict(zip(head, r, strict=True)) for r in body]


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("report")
    scn = loads_scenario(SCENARIO, str(tmp / "s.toml"))
    run_study(Study(str(tmp / "s.toml"), SCENARIO, scenario_hash(scn), 5, 3, 2, (KEY,),
                    ((1,), (3,))), tmp / "study", workers=1)
    return tmp / "study"


@pytest.fixture(scope="module")
def report(study: Path) -> Path:
    return write_report(study, verify=False)


def test_report_is_self_contained_well_formed_and_has_every_section(report: Path) -> None:
    text = report.read_text(encoding="utf-8")
    assert report.name == "report.html"
    assert not re.search(r"https?://", text), "the page must reference nothing remote"
    assert "<script" not in text and "<link" not in text and "@import" not in text
    page = _parse(report)
    assert page.sections == list(SECTIONS)
    # sweep curves, leaker histogram, layers, magazine and power timelines
    assert len(page.images) == 5
    for src in page.images:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Not run" in text  # --no-verify


def test_user_text_is_escaped(report: Path) -> None:
    text = report.read_text(encoding="utf-8")
    assert "<i>&</i>" not in text and "&lt;i&gt;&amp;&lt;/i&gt;" in text
    assert SCENARIO in _parse(report).pre  # the scenario, round-tripped through escaping


def test_summary_numbers_match_duckdb(study: Path, report: Path) -> None:
    con = connect(study)
    want = con.execute(
        f'SELECT point, "{KEY}", count(*), sum(CASE WHEN leaked = 0 AND flying = 0 THEN 1 '
        "ELSE 0 END), avg(leaked), sum(threats), sum(killed), sum(leaked), avg(cost_usd) "
        "FROM runs GROUP BY ALL ORDER BY point").fetchall()
    got = _rows(_parse(report), "summary")
    assert len(got) == len(want) == 2
    for row, (p, v, n, ok, leak, threats, killed, leaked, cost) in zip(got, want,
                                                                        strict=True):
        lo, hi = _wilson_ref(ok, n)
        assert (row["point"], row[KEY], row["runs"], row["errors"]) == (str(p), str(v),
                                                                        str(n), "0")
        assert row["P(raid annihilation)"] == f"{ok / n:.3f}"
        assert row["95 % CI"] == f"[{lo:.3f}, {hi:.3f}]"
        assert row["mean leakers"] == f"{leak:.3f}"
        assert row["95 % CI of the mean"].startswith("[")
        assert (row["threats"], row["killed"], row["leaked"]) == (str(threats), str(killed),
                                                                  str(leaked))
        assert row["cost per run [$M]"] == f"{cost / 1e6:.2f}"
    assert read_manifest(study)["runs"] == 3


def test_layer_and_leaker_tables_match_duckdb(study: Path, report: Path) -> None:
    con = connect(study)
    page = _parse(report)
    layers = _rows(page, "layers")
    assert layers, "the study fired rounds, so the layer table has rows"
    for row in layers:
        p, layer = int(row["point"]), row["layer"]
        rounds, resolved, kills = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE NOT isnan(miss_m)), "
            "count(*) FILTER (WHERE NOT isnan(miss_m) AND kill) FROM shots "
            "WHERE point = ? AND layer = ?", [p, layer]).fetchone()
        killed = con.execute(f"SELECT sum(kills_{layer}) FROM runs WHERE point = ?",
                             [p]).fetchone()[0]
        assert (row["rounds"], row["resolved"], row["kills"]) == (
            str(rounds), str(resolved), str(kills))
        assert row["threats killed"] == str(killed)
        if resolved:
            assert row["P(kill | resolved)"] == f"{kills / resolved:.3f}"
    hist = _rows(page, "leakers")
    for row in hist:
        counts = dict(con.execute("SELECT leaked, count(*) FROM runs WHERE point = ? "
                                  "GROUP BY leaked", [int(row["point"])]).fetchall())
        for k in range(3):
            assert row.get(str(k), "0") == str(counts.get(k, 0))


def test_provenance_and_magazine_tables_match_the_manifest_and_runs(study: Path,
                                                                     report: Path) -> None:
    man = read_manifest(study)
    page = _parse(report)
    prov = {r["item"]: r["value"] for r in _rows(page, "provenance")}
    assert prov["scenario hash (SHA-256)"] == man["scenario_hash"]
    assert prov["root seed"] == "5" and prov["swept keys"] == KEY
    con = connect(study)
    for row in _rows(page, "magazine"):
        emptied, median = con.execute(
            "SELECT count(first_empty_s), quantile_cont(first_empty_s, 0.5) FROM runs "
            "WHERE point = ? AND NOT isnan(first_empty_s)", [int(row["point"])]).fetchone()
        assert row["runs with an empty launcher"] == str(emptied)
        assert row["median first-empty time [s]"] == (f"{median:.1f}" if emptied else "–")


def test_verify_table_is_filled_when_asked(study: Path, tmp_path: Path) -> None:
    from tate.verify import us76_density

    out = write_report(study, tmp_path / "r.html", verify=True, cases=["us76"])
    rows = _rows(_parse(out), "verify")
    refs = us76_density()
    assert [r["quantity"] for r in rows] == [r.quantity for r in refs]
    assert [r["result"] for r in rows] == ["pass" if r.passed else "FAIL" for r in refs]
    assert "Not run" not in out.read_text()


@pytest.mark.parametrize(("keys", "points", "figures"), [
    (("a", "b"), ((1, "x"), (2, "x"), (1, "y"), (2, "y")), 2),
    (("a", "b", "c"), ((1, 2, 3), (4, 5, 6)), 0),
])
def test_sweep_section_layout(tmp_path: Path, keys: tuple[str, ...],
                              points: tuple[tuple[Any, ...], ...], figures: int) -> None:
    make_study(tmp_path, seed=9, runs=4, keys=keys, points=points)
    out = write_report(tmp_path, verify=False)
    page = _parse(out)
    text = out.read_text()
    # leakers + layers + one sweep figure per key (none beyond two keys); no timelines
    assert len(page.images) == 2 + figures
    assert ("More than two keys" in text) == (figures == 0)
    assert "Not available" in text  # a synthetic study has no representative run
    assert [r[keys[0]] for r in _rows(page, "summary")] == [str(p[0]) for p in points]


def test_many_points_pool_the_histogram_and_runs_that_raised_are_listed(
        tmp_path: Path) -> None:
    points = tuple((v,) for v in range(10))
    make_study(tmp_path, seed=4, runs=3, keys=("k",), points=points,
               failed=frozenset({(9, 0), (9, 1), (9, 2), (2, 1)}))
    page = _parse(write_report(tmp_path, verify=False))
    assert sum("every grid point pooled" in alt for alt in page.alts) == 1
    errors = _rows(page, "errors")
    assert [(r["point"], r["run"]) for r in errors] == [("2", "1"), ("9", "0"), ("9", "1"),
                                                        ("9", "2")]
    last = _rows(page, "summary")[-1]
    assert (last["point"], last["k"], last["runs"], last["errors"]) == ("9", "9", "0", "3")
    assert last["P(raid annihilation)"] == "–" and last["95 % CI"] == "[0.000, 1.000]"
    assert not math.isnan(float(_rows(page, "summary")[0]["P(raid annihilation)"]))


def test_not_a_study_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(TateError, match="not a study directory"):
        write_report(tmp_path, verify=False)
