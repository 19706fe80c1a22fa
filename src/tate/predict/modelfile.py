"""Model files that cannot run code: a zip of a JSON manifest and plain ``.npy`` arrays.

What it stores
--------------
A pre-trained model (a threat classifier, a trajectory-residual regressor) is a small
JSON configuration plus a handful of numeric arrays.  :func:`save_model` writes them
as one zip archive:

* ``model.json`` — the manifest: format tag ``"tate-model"``, format version ``1``,
  the model ``kind``, the caller's JSON ``config`` and, for every array, its name,
  dtype, shape and the SHA-256 of its C-ordered little-endian bytes;
* ``<name>.npy`` — one member per array, in the NumPy ``.npy`` format without
  pickled objects.

Why not pickle or joblib: unpickling runs arbitrary code chosen by whoever wrote the
file.  :func:`load_model` never unpickles; it parses the ``.npy`` header itself
(:func:`numpy.lib.format.read_array_header_1_0`, which evaluates literals only) and
refuses every file that does not match its manifest exactly: foreign or extra
members, unsafe member names, object/structured/string dtypes, wrong shapes, wrong
checksums (tampering or corruption), and archives whose declared uncompressed size
exceeds :data:`MAX_TOTAL_BYTES` (zip bombs; checked before anything is inflated).

Files are bit-for-bit reproducible: sorted members, a fixed time stamp
(1980-01-01 00:00:00, the earliest a zip can hold), fixed permissions, deflate at a
fixed level and ``json.dumps(..., sort_keys=True)``.  Writing goes to a temporary
file in the target directory that is renamed into place, so a reader never sees a
half-written model.

References: the ``.npy`` format is specified in NEP 1 (R. Kern, "A simple file format
for NumPy arrays", 2007); the zip container in PKWARE's APPNOTE.TXT, section 4.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import re
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

from tate.errors import TateError

T = TypeVar("T")

__all__ = [
    "ALLOWED_DTYPES",
    "FORMAT_TAG",
    "FORMAT_VERSION",
    "MAX_TOTAL_BYTES",
    "ModelFileError",
    "file_digest",
    "load_built",
    "load_model",
    "save_model",
]

FORMAT_TAG = "tate-model"
FORMAT_VERSION = 1
MANIFEST = "model.json"
MAX_TOTAL_BYTES = 64 * 2**20  #: cap on the summed uncompressed member sizes [bytes]
MAX_MEMBERS = 4096  #: cap on the number of zip members
ALLOWED_DTYPES = frozenset(
    ["float64", "float32", "int64", "int32", "int16", "int8", "uint8", "bool"]
)
_NAME = re.compile(r"[A-Za-z0-9_]+")
_DATE_TIME = (1980, 1, 1, 0, 0, 0)
_PERMISSIONS = 0o100644  #: regular file, rw-r--r--
_LEVEL = 9
_JSON_SCALARS = (str, int, bool, type(None))


class ModelFileError(TateError):
    """A model file is missing, malformed, tampered with or unsafe.

    Parameters
    ----------
    file
        The model file.
    reason
        What is wrong with it.
    """

    def __init__(self, file: str | os.PathLike[str], reason: str) -> None:
        self.file = str(file)
        self.reason = reason
        super().__init__(f"{self.file}: {reason}")

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return (type(self), (self.file, self.reason))


# ----------------------------------------------------------------------------- checks


def _check_json(value: Any, where: str) -> None:
    """Raise ValueError unless ``value`` is plain JSON (finite floats, str keys)."""
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{where}: {value!r} is not finite (JSON has no NaN/inf)")
    elif isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(f"{where}: key {key!r} is not a string")
            _check_json(item, f"{where}[{key!r}]")
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            _check_json(item, f"{where}[{i}]")
    elif not isinstance(value, _JSON_SCALARS):
        raise ValueError(f"{where}: {type(value).__name__} is not JSON-serialisable")


def _dtype_problem(dtype: np.dtype[Any]) -> str | None:
    """Why ``dtype`` may not be stored, or None if it may."""
    if dtype.hasobject:
        return "object arrays need pickle"
    if dtype.names is not None or dtype.subdtype is not None:
        return f"structured dtype {dtype} is not allowed"
    if dtype.name not in ALLOWED_DTYPES:
        return f"dtype {dtype} is not allowed (allowed: {', '.join(sorted(ALLOWED_DTYPES))})"
    if dtype.byteorder == ">":
        return f"dtype {dtype.str} is big-endian"
    return None


def _sha256(arr: NDArray[Any]) -> str:
    """SHA-256 hex of the C-ordered little-endian bytes of ``arr``."""
    le = arr.astype(arr.dtype.newbyteorder("<"), copy=False)
    return hashlib.sha256(le.tobytes(order="C")).hexdigest()


# ----------------------------------------------------------------------------- save


def _prepare(path: str, arrays: dict[str, Any]) -> dict[str, NDArray[Any]]:
    """Validate names and dtypes; return little-endian C-ordered copies, by name."""
    out: dict[str, NDArray[Any]] = {}
    for name, value in arrays.items():
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise ModelFileError(path, f"array name {name!r} must match [A-Za-z0-9_]+")
        arr = np.asarray(value)
        problem = _dtype_problem(arr.dtype.newbyteorder("<"))
        if problem is not None:
            raise ModelFileError(path, f"array {name!r}: {problem}")
        le = arr.astype(arr.dtype.newbyteorder("<"), order="C")
        out[name] = le
    return out


def _member(name: str) -> zipfile.ZipInfo:
    """A zip entry with the fixed time stamp, permissions and compression."""
    info = zipfile.ZipInfo(name, date_time=_DATE_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # Unix, so that external_attr means st_mode
    info.external_attr = _PERMISSIONS << 16
    return info


def _archive(kind: str, config: dict[str, Any], arrays: dict[str, NDArray[Any]]) -> bytes:
    """The zip archive of a model as bytes."""
    manifest = {
        "format": FORMAT_TAG,
        "version": FORMAT_VERSION,
        "kind": kind,
        "config": config,
        "arrays": [
            {
                "name": name,
                "dtype": arr.dtype.name,
                "shape": list(arr.shape),
                "sha256": _sha256(arr),
            }
            for name, arr in sorted(arrays.items())
        ],
    }
    members = {MANIFEST: json.dumps(manifest, sort_keys=True, indent=1).encode("utf-8")}
    for name, arr in arrays.items():
        buf = io.BytesIO()
        np.save(buf, arr, allow_pickle=False)
        members[f"{name}.npy"] = buf.getvalue()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for member in sorted(members):
            zf.writestr(_member(member), members[member], compresslevel=_LEVEL)
    return out.getvalue()


def save_model(
    path: str | os.PathLike[str],
    kind: str,
    config: dict[str, Any],
    arrays: dict[str, NDArray[Any]],
) -> None:
    """Write a model file atomically and reproducibly.

    Parameters
    ----------
    path
        Target file (conventionally ``*.tate.zip``); replaced if it exists.
    kind
        Model kind, e.g. ``"mlp"`` or ``"hgb"``; :func:`load_model` can insist on it.
    config
        JSON-serialisable settings: dicts with string keys, lists, strings, ints,
        finite floats, bools and None (tuples are stored as lists).
    arrays
        Arrays by name (``[A-Za-z0-9_]+``) of dtype float64, float32, int64, int32,
        int16, int8, uint8 or bool.  Stored little-endian and C-ordered.

    Raises
    ------
    ModelFileError
        If the kind, the config, an array name or an array dtype is not allowed, or
        the file cannot be written.
    """
    path = os.fspath(path)
    if not isinstance(kind, str) or not kind:
        raise ModelFileError(path, f"model kind must be a non-empty string, got {kind!r}")
    if not isinstance(config, dict):
        raise ModelFileError(path, f"config must be a dict, got {type(config).__name__}")
    try:
        _check_json(config, "config")
    except ValueError as exc:
        raise ModelFileError(path, str(exc)) from None
    if not isinstance(arrays, dict):
        raise ModelFileError(path, f"arrays must be a dict, got {type(arrays).__name__}")
    data = _archive(kind, config, _prepare(path, arrays))
    _write_atomic(path, data)


def _write_atomic(path: str, data: bytes) -> None:
    """Write ``data`` to a temporary file next to ``path`` and rename it into place."""
    target = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise ModelFileError(path, f"cannot write: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise ModelFileError(path, f"cannot write: {exc.strerror}") from None
        raise


# ----------------------------------------------------------------------------- load


def _open_zip(path: str) -> zipfile.ZipFile:
    """Open ``path`` as a zip archive or raise ModelFileError."""
    p = Path(path)
    if not p.is_file():
        raise ModelFileError(path, "no such model file" if not p.exists() else "not a file")
    if p.stat().st_size > MAX_TOTAL_BYTES:
        raise ModelFileError(path, f"file is larger than the {MAX_TOTAL_BYTES} byte cap")
    try:
        return zipfile.ZipFile(path)
    except Exception:  # any failure to parse a foreign file is the same user error
        raise ModelFileError(path, "not a tate model file (not a zip archive)") from None


def _check_members(path: str, infos: list[zipfile.ZipInfo]) -> None:
    """Refuse unsafe names, duplicates, encryption and oversized archives."""
    if len(infos) > MAX_MEMBERS:
        raise ModelFileError(path, f"too many members ({len(infos)})")
    seen: set[str] = set()
    for info in infos:
        name = info.filename
        if "/" in name or "\\" in name or ".." in name or ":" in name or not name:
            raise ModelFileError(path, f"unsafe member name {name!r}")
        if name in seen:
            raise ModelFileError(path, f"duplicate member {name!r}")
        if info.flag_bits & 0x1:
            raise ModelFileError(path, f"member {name!r} is encrypted")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ModelFileError(path, f"member {name!r} uses an unsupported compression")
        seen.add(name)
    total = sum(info.file_size for info in infos)
    if total > MAX_TOTAL_BYTES:
        raise ModelFileError(
            path, f"uncompressed size {total} bytes exceeds the {MAX_TOTAL_BYTES} byte cap"
        )


def _read(path: str, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """Inflate one member, never more than its declared size."""
    try:
        with zf.open(info) as fh:
            data = fh.read(info.file_size + 1)
    except Exception:  # bad CRC, bad deflate stream, truncated archive, ...
        raise ModelFileError(path, f"member {info.filename!r} is corrupt") from None
    if len(data) != info.file_size:
        raise ModelFileError(path, f"member {info.filename!r} is not its declared size")
    return data


def _manifest(path: str, raw: bytes) -> dict[str, Any]:
    """Parse and validate ``model.json``."""
    try:
        doc = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ModelFileError(path, f"{MANIFEST} is not valid JSON") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT_TAG:
        raise ModelFileError(path, f"not a tate model file (format tag is not {FORMAT_TAG!r})")
    if doc.get("version") != FORMAT_VERSION:
        raise ModelFileError(
            path, f"unsupported format version {doc.get('version')!r} (expected {FORMAT_VERSION})"
        )
    if not isinstance(doc.get("kind"), str) or not isinstance(doc.get("config"), dict):
        raise ModelFileError(path, f"{MANIFEST}: 'kind' must be a string, 'config' an object")
    entries = doc.get("arrays")
    if not isinstance(entries, list):
        raise ModelFileError(path, f"{MANIFEST}: 'arrays' must be a list")
    names = [_check_entry(path, e) for e in entries]
    if len(set(names)) != len(names):
        raise ModelFileError(path, f"{MANIFEST}: an array is listed twice")
    return doc


def _no_constant(token: str) -> Any:
    """Reject NaN and Infinity in JSON."""
    raise ValueError(token)


def _check_entry(path: str, entry: Any) -> str:
    """Validate one manifest array entry and return its name."""
    ok = (
        isinstance(entry, dict)
        and isinstance(entry.get("name"), str)
        and _NAME.fullmatch(entry["name"]) is not None
        and entry.get("dtype") in ALLOWED_DTYPES
        and isinstance(entry.get("shape"), list)
        and all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in entry["shape"])
        and isinstance(entry.get("sha256"), str)
    )
    if not ok:
        raise ModelFileError(path, f"{MANIFEST}: invalid array entry {entry!r}")
    return str(entry["name"])


def _parse_npy(path: str, name: str, data: bytes, entry: dict[str, Any]) -> NDArray[Any]:
    """Decode one ``.npy`` member without unpickling and check it against the manifest."""
    fp = io.BytesIO(data)
    try:
        version = np.lib.format.read_magic(fp)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(fp)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(fp)
        else:
            raise ValueError(f"npy version {version}")
    except Exception:  # bad magic, unparsable header, truncated member, ...
        raise ModelFileError(path, f"array {name!r}: not a valid .npy member") from None
    if dtype.hasobject:
        raise ModelFileError(path, f"array {name!r}: needs pickle (object dtype); refused")
    problem = _dtype_problem(dtype)
    if problem is not None:
        raise ModelFileError(path, f"array {name!r}: {problem}")
    if dtype.name != entry["dtype"]:
        raise ModelFileError(
            path, f"array {name!r}: dtype {dtype.name} differs from manifest {entry['dtype']}"
        )
    if list(shape) != entry["shape"]:
        raise ModelFileError(
            path, f"array {name!r}: shape {list(shape)} differs from manifest {entry['shape']}"
        )
    count = math.prod(shape)
    if len(data) - fp.tell() != count * dtype.itemsize:
        raise ModelFileError(path, f"array {name!r}: data length does not match its shape")
    flat = np.frombuffer(data, dtype=dtype, count=count, offset=fp.tell())
    arr = np.array(flat.reshape(shape, order="F" if fortran else "C"), order="C", copy=None)
    if _sha256(arr) != entry["sha256"]:
        raise ModelFileError(path, f"array {name!r}: SHA-256 mismatch (file tampered or corrupt)")
    arr.setflags(write=False)
    return arr


def load_model(
    path: str | os.PathLike[str], kind: str | None = None
) -> tuple[dict[str, Any], dict[str, NDArray[Any]]]:
    """Read a model file written by :func:`save_model`, refusing anything unexpected.

    Parameters
    ----------
    path
        The model file.
    kind
        If given, the model kind the file must have.

    Returns
    -------
    config
        The stored configuration.
    arrays
        The stored arrays by name, read-only.

    Raises
    ------
    ModelFileError
        If the file is missing, not a zip, has foreign/extra/missing members or
        unsafe member names, a wrong format tag, version or kind, an array that
        differs from the manifest (dtype, shape, SHA-256) or needs pickle, or an
        uncompressed size above :data:`MAX_TOTAL_BYTES`.
    """
    path = os.fspath(path)
    with _open_zip(path) as zf:
        infos = zf.infolist()
        _check_members(path, infos)
        by_name = {info.filename: info for info in infos}
        if MANIFEST not in by_name:
            raise ModelFileError(path, f"not a tate model file (no {MANIFEST})")
        doc = _manifest(path, _read(path, zf, by_name[MANIFEST]))
        if kind is not None and doc["kind"] != kind:
            raise ModelFileError(path, f"is a {doc['kind']!r} model, expected {kind!r}")
        entries = {e["name"]: e for e in doc["arrays"]}
        expected = {MANIFEST} | {f"{n}.npy" for n in entries}
        extra = sorted(set(by_name) - expected)
        if extra:
            raise ModelFileError(path, f"unexpected member {extra[0]!r} (not in {MANIFEST})")
        missing = sorted(n for n in entries if f"{n}.npy" not in by_name)
        if missing:
            raise ModelFileError(path, f"array {missing[0]!r} listed in {MANIFEST} is missing")
        arrays = {
            n: _parse_npy(path, n, _read(path, zf, by_name[f"{n}.npy"]), e)
            for n, e in entries.items()
        }
    return doc["config"], arrays


def load_built(path: str | os.PathLike[str], kind: str,
               build: Callable[[dict[str, Any], dict[str, NDArray[Any]]], T], what: str) -> T:
    """:func:`load_model`, then ``build(config, arrays)``; a ``ValueError`` of ``build``
    becomes a :class:`ModelFileError` saying the file is not a valid ``what``."""
    config, arrays = load_model(path, kind=kind)
    try:
        return build(config, arrays)
    except ValueError as exc:
        raise ModelFileError(path, f"invalid {what}: {exc}") from None


def file_digest(path: str | os.PathLike[str]) -> str:
    """SHA-256 hex digest of a whole file, for provenance records.

    Raises
    ------
    ModelFileError
        If the file cannot be read.
    """
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    except OSError as exc:
        raise ModelFileError(path, f"cannot read: {exc.strerror}") from None
    return h.hexdigest()
