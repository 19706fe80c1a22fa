"""The viewer's server: it serves its three trees with the right content types and
refuses every request that would step outside them.

Oracle for the traversal cases: a naive server (decode the target once or twice and join
it to the root, as ``os.path.normpath`` would) reaches a real file outside the tree for
every refused request, so each 404 is a refusal, not a missing file.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from tate.errors import TateError
from tate.viewer.server import (
    CESIUM_ENV,
    STATIC_DIR,
    ViewerServer,
    content_type,
    default_cesium_dir,
    find_cesium_dir,
    make_server,
    needs_export,
    resolve_request,
)

SECRET = b"outside the served trees\n"


@pytest.fixture(scope="module")
def trees(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """``base/secret.txt`` outside; ``base/static``, ``base/run``, ``base/cesium`` served."""
    base = tmp_path_factory.mktemp("serve")
    shutil.copytree(STATIC_DIR, base / "static")
    (base / "secret.txt").write_bytes(SECRET)
    (base / "etc").mkdir()
    (base / "etc" / "passwd").write_bytes(SECRET)
    run = base / "run"
    (run / "sub dir").mkdir(parents=True)
    (run / "replay.czml").write_text('[{"id": "document", "version": "1.0"}]')
    (run / "replay.json").write_text('{"entities": {"total": 0}}')
    (run / "sub dir" / "é.json").write_text("{}")
    (run / ".hidden").write_text("x")
    (run / "inside-link.json").symlink_to(run / "replay.json")
    (run / "outside-link").symlink_to(base / "secret.txt")
    (run / "outside-dir").symlink_to(base / "etc", target_is_directory=True)
    cesium = base / "cesium"
    (cesium / "Widgets").mkdir(parents=True)
    (cesium / "Workers").mkdir()
    (cesium / "Cesium.js").write_text("var Cesium = {};")
    (cesium / "Widgets" / "widgets.css").write_text("body {}")
    (cesium / "Workers" / "decoder.wasm").write_bytes(b"\0asm\1\0\0\0")
    (cesium / "model.glb").write_bytes(b"glTF")
    return {"base": base, "static": base / "static", "run": run, "cesium": cesium}


@pytest.fixture(scope="module")
def server(trees: dict[str, Path]) -> Iterator[ViewerServer]:
    srv = make_server(trees["run"], trees["cesium"], static_dir=trees["static"])
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def _get(srv: ViewerServer, target: str, method: str = "GET") -> tuple[int, dict[str, str],
                                                                       bytes]:
    host, port = srv.server_address[:2]
    conn = http.client.HTTPConnection(str(host), int(port), timeout=10)
    try:
        conn.putrequest(method, target, skip_host=False, skip_accept_encoding=True)
        conn.endheaders()
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def _raw_status(srv: ViewerServer, target: bytes) -> int:
    """Status of a request written byte for byte (http.client refuses NUL and controls)."""
    host, port = srv.server_address[:2]
    with socket.create_connection((str(host), int(port)), timeout=10) as sock:
        sock.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        head = sock.recv(64)
    return int(head.split()[1])


# -- served files ------------------------------------------------------------------------

SERVED = [
    ("/", "index.html", "text/html"),
    ("/viewer.js", "viewer.js", "text/javascript"),
    ("/viewer.css", "viewer.css", "text/css"),
    ("/cesium/Cesium.js", "cesium/Cesium.js", "text/javascript"),
    ("/cesium/Widgets/widgets.css", "cesium/Widgets/widgets.css", "text/css"),
    ("/cesium/Workers/decoder.wasm", "cesium/Workers/decoder.wasm", "application/wasm"),
    ("/cesium/model.glb", "cesium/model.glb", "model/gltf-binary"),
    ("/run/replay.czml", "run/replay.czml", "application/json"),
    ("/run/replay.json?cache=1#x", "run/replay.json", "application/json"),
    ("/run/sub%20dir/%C3%A9.json", "run/sub dir/é.json", "application/json"),
    ("/run/inside-link.json", "run/replay.json", "application/json"),
]


@pytest.mark.parametrize(("target", "file", "ctype"), SERVED)
def test_files_of_the_trees_are_served_whole_with_their_type(
        server: ViewerServer, trees: dict[str, Path], target: str, file: str,
        ctype: str) -> None:
    head, _, rest = file.partition("/")
    path = trees[head] / rest if head in ("run", "cesium") else trees["static"] / file
    status, headers, body = _get(server, target)
    assert status == 200, target
    assert body == path.read_bytes()
    assert headers["content-type"].split(";")[0] == ctype
    assert int(headers["content-length"]) == path.stat().st_size


def test_head_sends_headers_only_and_other_methods_are_refused(server: ViewerServer) -> None:
    status, headers, body = _get(server, "/run/replay.json", "HEAD")
    assert status == 200 and body == b""
    assert int(headers["content-length"]) > 0
    for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS"):
        status, headers, _ = _get(server, "/run/replay.json", method)
        assert status == 405 and headers["allow"] == "GET, HEAD"


def test_the_page_may_load_nothing_from_another_origin(server: ViewerServer) -> None:
    _, headers, _ = _get(server, "/")
    policy = dict(p.strip().split(" ", 1) for p in headers["content-security-policy"].split(";"))
    for directive in ("default-src", "script-src", "img-src", "connect-src", "worker-src"):
        sources = policy[directive].split()
        assert "'self'" in sources
        assert not [s for s in sources if s.startswith(("http", "*")) or "." in s], directive
    assert headers["x-content-type-options"] == "nosniff"


# -- refused requests --------------------------------------------------------------------

TRAVERSALS = [
    "/../secret.txt", "/run/../secret.txt", "/cesium/../secret.txt",
    "/run/./../secret.txt",
    "/run/%2e%2e/secret.txt", "/run/%2E%2E/secret.txt", "/run/.%2e/secret.txt",
    "/run/%2e%2e%2fsecret.txt", "/run/..%2fsecret.txt", "/run/..%2Fsecret.txt",
    "/%2e%2e%2fsecret.txt", "/run/%252e%252e/secret.txt", "/run/%252e%252e%252fsecret.txt",
    "/run/..%252fsecret.txt", "/run/..\\secret.txt", "/run\\..\\secret.txt",
    "/run/..%5csecret.txt", "/run/%255c..%255csecret.txt",
    "/run/outside-link", "/run/outside-dir/passwd", "/run/%2e%2e/etc/passwd",
]


def _naive(root: Path, target: str, decodes: int) -> Path:
    """Where a server that decodes ``decodes`` times and normalises would look."""
    path = target
    for _ in range(decodes):
        path = urllib.parse.unquote(path)
    return Path(os.path.realpath(str(root) + "/" + path.replace("\\", "/").lstrip("/")))


@pytest.mark.parametrize("target", TRAVERSALS)
def test_traversal_is_refused(server: ViewerServer, trees: dict[str, Path],
                              target: str) -> None:
    # the request is a real attack: naive decoding reaches a file outside every tree
    seg = target.lstrip("/").split("/")[0].split("\\")[0]
    root = trees[seg] if seg in ("run", "cesium") else trees["static"]
    rel = target[len(seg) + 1:] if seg in ("run", "cesium") else target
    reached = [_naive(root, rel, n) for n in (1, 2)]
    outside = [p for p in reached if p.is_file() and p.read_bytes() == SECRET]
    assert outside, f"{target} is no attack: it reaches {reached}"
    status, _, body = _get(server, target)
    assert status == 404, target
    assert SECRET not in body


@pytest.mark.parametrize("target", [
    "/etc/passwd", "//etc/passwd", "/run//etc/passwd", "/run/%2fetc%2fpasswd",
    "/run/%2Fetc/passwd", "/run/C:/secret.txt", "/run/c%3a%5csecret.txt",
    "/run/%c0%ae%c0%ae/secret.txt", "/run/", "/run", "/cesium/", "/run/sub%20dir",
    "/run/.hidden", "/run/missing.json", "http://127.0.0.1/run/replay.json", "*",
])
def test_absolute_odd_or_missing_paths_are_404(server: ViewerServer, target: str) -> None:
    assert _get(server, target)[0] == 404


@pytest.mark.parametrize("target", [b"/run/replay.json\x00.png", b"/run/%00/x",
                                    b"/run/\x01replay.json"])
def test_nul_and_control_characters_are_404(server: ViewerServer, target: bytes) -> None:
    assert _raw_status(server, target) in (400, 404)
    assert _raw_status(server, b"/run/replay.json") == 200


# -- properties of the resolver ----------------------------------------------------------

_CHARS = st.sampled_from(["a", "b", ".", "/", "\\", "%", "2", "e", "E", "f", "5", "c", "0",
                          "run", "cesium", "secret.txt", "..", "%2e", "%2f", "%25"])


@given(st.lists(_CHARS, min_size=1, max_size=14))
@example(["run", "/", "..", "/", "secret.txt"])
@example(["%2e", "%2e", "%2f", "secret.txt"])
@example(["run", "/", "%25", "2e", "%25", "2e", "/", "secret.txt"])
def test_no_target_resolves_outside_its_trees(trees: dict[str, Path], parts: list[str]) -> None:
    roots = {"": trees["static"], "run": trees["run"], "cesium": trees["cesium"]}
    got = resolve_request(roots, "/" + "".join(parts))
    if got is not None:
        assert any(got.is_relative_to(r.resolve()) for r in roots.values())
        assert got.read_bytes() != SECRET


_NAMES = st.text(st.characters(blacklist_categories=["Cs", "Cc", "Zl", "Zp"],
                               blacklist_characters="/\\:%\x00"), min_size=1, max_size=12)


@given(_NAMES)
def test_every_plain_file_name_round_trips_through_its_url(tmp_path_factory: pytest.
                                                           TempPathFactory, name: str) -> None:
    if name.startswith(".") or not name.isprintable():
        return
    root = tmp_path_factory.mktemp("names")
    try:
        (root / name).write_text("x")
    except OSError:  # a name this file system cannot hold
        return
    target = "/run/" + urllib.parse.quote(name, safe="")
    assert resolve_request({"run": root}, target) == (root / name).resolve()


def test_content_types_follow_the_registered_media_types() -> None:
    # IANA media types (WebAssembly: application/wasm; glTF 2.0: model/gltf-binary)
    assert content_type(Path("a.WASM")) == "application/wasm"
    assert content_type(Path("scene.czml")) == "application/json"
    assert content_type(Path("t.png")) == "image/png"
    assert content_type(Path("unknown.bin")) == "application/octet-stream"


# -- replay freshness and the Cesium directory --------------------------------------------

def test_export_is_needed_when_the_replay_is_missing_or_older_than_the_tables(
        tmp_path: Path) -> None:
    (tmp_path / "summary.json").write_text("{}")
    (tmp_path / "events.parquet").write_bytes(b"")
    assert needs_export(tmp_path)
    for name in ("replay.czml", "replay.json"):
        (tmp_path / name).write_text("[]")
    now = time.time()
    os.utime(tmp_path / "events.parquet", (now - 100, now - 100))
    os.utime(tmp_path / "summary.json", (now - 100, now - 100))
    assert not needs_export(tmp_path)
    os.utime(tmp_path / "events.parquet", (now + 5, now + 5))  # the run was redone
    assert needs_export(tmp_path)
    (tmp_path / "replay.json").unlink()
    os.utime(tmp_path / "events.parquet", (now - 100, now - 100))
    assert needs_export(tmp_path)


def test_a_replay_without_tables_is_served_as_it_is_and_nothing_is_an_error(
        tmp_path: Path) -> None:
    with pytest.raises(TateError, match="not a run directory"):
        needs_export(tmp_path)
    with pytest.raises(TateError, match="no such run directory"):
        needs_export(tmp_path / "missing")
    for name in ("replay.czml", "replay.json"):
        (tmp_path / name).write_text("[]")
    assert not needs_export(tmp_path)


def test_the_cesium_directory_comes_from_option_then_environment_then_repository(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = tmp_path / "good"
    good.mkdir()
    (good / "Cesium.js").write_text("")
    monkeypatch.setenv(CESIUM_ENV, str(good))
    assert find_cesium_dir() == good
    assert find_cesium_dir(good) == good
    with pytest.raises(TateError, match="npm ci --no-audit --no-fund"):
        find_cesium_dir(tmp_path / "nothing")
    monkeypatch.delenv(CESIUM_ENV)
    repo = default_cesium_dir().parents[3]
    assert (repo / "pyproject.toml").is_file() and (repo / "src" / "tate").is_dir()


def test_tate_view_prints_its_url_and_serves_the_run(trees: dict[str, Path]) -> None:
    env = {**os.environ, CESIUM_ENV: str(trees["cesium"])}
    proc = subprocess.Popen([sys.executable, "-m", "tate.cli", "view", str(trees["run"])],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert match, line + (proc.stderr.read() if proc.poll() is not None and proc.stderr
                              else "")
        conn = http.client.HTTPConnection("127.0.0.1", int(match.group(1)), timeout=10)
        conn.request("GET", "/run/replay.json")
        resp = conn.getresponse()
        assert resp.status == 200
        assert resp.read() == (trees["run"] / "replay.json").read_bytes()
        conn.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_tate_view_without_cesium_exits_2_with_the_npm_command(trees: dict[str, Path],
                                                               tmp_path: Path) -> None:
    env = {**os.environ, CESIUM_ENV: str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "tate.cli", "view", str(trees["run"])],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 2
    assert "npm ci --no-audit --no-fund" in done.stderr and "Traceback" not in done.stderr
