"""Local web server of the offline 3-D replay viewer (``tate view``).

Serves three trees and nothing else, over plain HTTP on the loopback interface by
default:

* ``/`` — the viewer's own static files (``index.html``, ``viewer.js``, ``viewer.css``);
* ``/cesium/`` — the CesiumJS build (``node_modules/cesium/Build/Cesium`` of the
  repository, installed by ``npm ci`` from ``package.json``; or ``--cesium-dir`` /
  ``$TATE_CESIUM_DIR``);
* ``/run/`` — the run directory with ``replay.czml`` and ``replay.json`` written by
  ``tate export czml``.

Only ``GET`` and ``HEAD`` are answered.  A request path is decoded exactly once and
refused (404) when it holds anything that could step outside a tree: ``..`` or ``.``
segments, empty segments (``//``), backslashes, NUL or control characters, colons,
encoded separators (``%2f``, ``%5c``), a ``%`` left after decoding (double encoding),
hidden files, or a symbolic link whose target lies outside the tree.  Directories are
never listed.  The page is sent with a Content-Security-Policy that lets the browser
load nothing from another origin, so the viewer works offline and cannot leak a request.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import urllib.parse
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tate.errors import TateError

__all__ = ["CESIUM_ENV", "CONTENT_TYPES", "STATIC_DIR", "ViewerServer", "content_type",
           "default_cesium_dir", "find_cesium_dir", "make_server", "needs_export",
           "resolve_request", "url_segments", "view_run"]

STATIC_DIR = Path(__file__).resolve().parent / "static"
CESIUM_ENV = "TATE_CESIUM_DIR"
NPM_HINT = "npm ci --no-audit --no-fund"  #: installs the pinned Cesium (repository root)

#: Content type by file suffix; anything else is sent as application/octet-stream.
CONTENT_TYPES: dict[str, str] = {
    ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8", ".cjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8", ".json": "application/json",
    ".czml": "application/json", ".geojson": "application/geo+json",
    ".xml": "application/xml", ".txt": "text/plain; charset=utf-8",
    ".wasm": "application/wasm", ".png": "image/png", ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg", ".gif": "image/gif", ".svg": "image/svg+xml",
    ".webp": "image/webp", ".ico": "image/x-icon", ".ktx2": "image/ktx2",
    ".glb": "model/gltf-binary", ".gltf": "model/gltf+json",
    ".kml": "application/vnd.google-earth.kml+xml", ".kmz": "application/vnd.google-earth.kmz",
    ".woff": "font/woff", ".woff2": "font/woff2", ".ttf": "font/ttf",
    ".parquet": "application/vnd.apache.parquet",
}

# Same origin only; 'unsafe-eval' for Knockout bindings of the Cesium widgets,
# 'wasm-unsafe-eval' for Cesium's WebAssembly decoders, blob: for its worker shims
# (a worker made from a blob inherits this policy and importScripts another blob).
_CSP = ("default-src 'self'; script-src 'self' blob: 'unsafe-eval' 'wasm-unsafe-eval'; "
        "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
        "font-src 'self' data:; connect-src 'self' data: blob:; worker-src 'self' blob:; "
        "child-src 'self' blob:; frame-src 'self' blob: data:; object-src 'none'; "
        "base-uri 'self'; form-action 'none'")

_RUN_TABLE_SUFFIXES = (".parquet",)
_RUN_FILES = ("summary.json",)


def content_type(path: Path) -> str:
    """The Content-Type header of a file, from its suffix (case-insensitive)."""
    return CONTENT_TYPES.get(path.suffix.lower(), "application/octet-stream")


def url_segments(target: str) -> tuple[str, ...] | None:
    """The path segments of a request target, or None if it is not a plain safe path.

    Parameters
    ----------
    target
        The request target as received (``/run/replay.czml?x=1``).

    Returns
    -------
    tuple of str or None
        Decoded segments (``("run", "replay.czml")``; ``("",)`` for ``/``), or None
        for anything refused (see the module docstring).
    """
    raw = target.split("#", 1)[0].split("?", 1)[0]
    if not raw.startswith("/") or "\\" in raw or "\x00" in raw:
        return None
    low = raw.lower()
    if "%2f" in low or "%5c" in low or "%00" in low:
        return None
    try:
        path = urllib.parse.unquote(raw, errors="strict")
    except UnicodeDecodeError:
        return None
    if "%" in path or any(c in path for c in "\\:") or not path.isprintable():
        return None
    segments = tuple(path[1:].split("/"))
    if segments == ("",):
        return segments
    if any(s == "" or s.startswith(".") for s in segments):
        return None
    return segments


def resolve_request(roots: Mapping[str, Path], target: str) -> Path | None:
    """The file a request target names, or None (404).

    Parameters
    ----------
    roots
        Trees by first segment; the key ``""`` is the top-level tree (``/`` is its
        ``index.html``).
    target
        The request target as received.

    Returns
    -------
    Path or None
        The resolved file, inside its tree after following symbolic links.
    """
    segments = url_segments(target)
    if segments is None:
        return None
    if segments == ("",):
        segments = ("index.html",)
    if len(segments) > 1 and segments[0] in roots and segments[0] != "":
        root, rest = roots[segments[0]], segments[1:]
    elif "" in roots:
        root, rest = roots[""], segments
    else:
        return None
    base = root.resolve()
    real = base.joinpath(*rest).resolve()
    if not real.is_relative_to(base) or not real.is_file():
        return None
    return real


class _Handler(BaseHTTPRequestHandler):
    """GET/HEAD of the viewer's trees; everything else is refused."""

    server: ViewerServer
    protocol_version = "HTTP/1.1"
    server_version = "tate-view"

    def do_GET(self) -> None:
        self._send(body=True)

    def do_HEAD(self) -> None:
        self._send(body=False)

    def _refuse(self) -> None:
        self.send_response(405)
        self.send_header("Allow", "GET, HEAD")
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _refuse

    def _send(self, body: bool) -> None:
        path = resolve_request(self.server.roots, self.path)
        if path is None:
            self.send_error(404, "Not found")
            return
        try:
            handle = path.open("rb")
        except OSError:
            self.send_error(404, "Not found")
            return
        with handle:
            self.send_response(200)
            self.send_header("Content-Type", content_type(path))
            self.send_header("Content-Length", str(os.fstat(handle.fileno()).st_size))
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Content-Security-Policy", _CSP)
            self.end_headers()
            if body:
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    shutil.copyfileobj(handle, self.wfile, 1 << 16)

    def log_message(self, fmt: str, *args: Any) -> None:
        if self.server.log is not None:
            self.server.log(f"{self.address_string()} {fmt % args}")


class ViewerServer(ThreadingHTTPServer):
    """A threading HTTP server of the viewer's trees (see :func:`make_server`)."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], roots: Mapping[str, Path],
                 log: Callable[[str], None] | None = None) -> None:
        self.roots = dict(roots)
        self.log = log
        super().__init__(address, _Handler)

    @property
    def url(self) -> str:
        """The viewer's address, e.g. ``http://127.0.0.1:43121/``."""
        host, port = self.server_address[0], self.server_address[1]
        host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(str(host), str(host))
        return f"http://{f'[{host}]' if ':' in host else host}:{port}/"


class _ViewerServer6(ViewerServer):
    address_family = socket.AF_INET6


def make_server(run_dir: Path, cesium_dir: Path, host: str = "127.0.0.1", port: int = 0,
                log: Callable[[str], None] | None = None,
                static_dir: Path = STATIC_DIR) -> ViewerServer:
    """Bind (not yet serve) the viewer's server; port 0 picks a free port.

    Parameters
    ----------
    run_dir, cesium_dir, static_dir
        The trees served under ``/run/``, ``/cesium/`` and ``/``.
    host, port
        Address to listen on.
    log
        Called with one line per request; None: silent.

    Raises
    ------
    TateError
        If the address cannot be bound.
    """
    roots = {"": static_dir, "cesium": cesium_dir, "run": run_dir}
    cls = _ViewerServer6 if ":" in host else ViewerServer
    try:
        return cls((host, port), roots, log)
    except OSError as exc:
        raise TateError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def default_cesium_dir() -> Path:
    """``node_modules/cesium/Build/Cesium`` of the repository this package lives in."""
    return Path(__file__).resolve().parents[3] / "node_modules" / "cesium" / "Build" / "Cesium"


def find_cesium_dir(explicit: Path | None = None) -> Path:
    """The Cesium build to serve: ``explicit``, else ``$TATE_CESIUM_DIR``, else the default.

    Raises
    ------
    TateError
        If that directory holds no ``Cesium.js`` (the message gives the npm command).
    """
    env = os.environ.get(CESIUM_ENV)
    where = explicit if explicit is not None else Path(env) if env else default_cesium_dir()
    if not (where / "Cesium.js").is_file():
        raise TateError(f"no Cesium build at {where} (Cesium.js missing); install it with "
                        f"`{NPM_HINT}` in the tate repository (next to package.json), or "
                        f"point --cesium-dir or ${CESIUM_ENV} at a Cesium Build/Cesium "
                        "directory")
    return where


def needs_export(run_dir: Path) -> bool:
    """Whether ``replay.czml`` / ``replay.json`` are missing or older than the run's tables.

    Raises
    ------
    TateError
        If ``run_dir`` holds neither a replay nor the tables of ``tate run``.
    """
    if not run_dir.is_dir():
        raise TateError(f"{run_dir}: no such run directory")
    replay = [run_dir / "replay.czml", run_dir / "replay.json"]
    tables = [p for p in run_dir.iterdir()
              if p.suffix in _RUN_TABLE_SUFFIXES or p.name in _RUN_FILES]
    if not tables:
        if all(p.is_file() for p in replay):
            return False
        raise TateError(f"{run_dir}: not a run directory (no replay.czml and no tables of "
                        "`tate run`)")
    if not all(p.is_file() for p in replay):
        return True
    newest = max(p.stat().st_mtime for p in tables)
    return min(p.stat().st_mtime for p in replay) < newest


def _export(run_dir: Path) -> None:
    """Write ``replay.czml`` and ``replay.json`` as ``tate export czml`` does."""
    from tate.replay import export_czml

    export_czml(run_dir)


def view_run(run_dir: Path, host: str = "127.0.0.1", port: int = 0,
             cesium_dir: Path | None = None, open_browser: bool = False,
             console: Any = None) -> None:
    """Export the replay if needed, then serve the viewer until interrupted.

    Prints the viewer's URL on a line of its own (``tate view: http://...``) before
    serving, so that scripts can read it from standard output.
    """
    cesium = find_cesium_dir(cesium_dir)
    if needs_export(run_dir):
        if console is not None:
            console.print(f"exporting the replay of {run_dir} (tate export czml)")
        _export(run_dir)
    server = make_server(run_dir, cesium, host, port)
    print(f"tate view: {server.url}  (serving {run_dir}; Ctrl-C stops)", flush=True)
    if open_browser:
        import webbrowser

        webbrowser.open(server.url)
    with server:
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
