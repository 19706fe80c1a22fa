"""Tests of the pickle-free model file format.

Oracles: the saved arrays themselves (round trip), :mod:`hashlib` on the whole file
(digest), and for every refusal a real offending file built with :mod:`zipfile`,
:mod:`pickle` and :func:`numpy.save`.  The pickle payloads are first shown to be live
(unpickling them really creates a marker directory) so that "the marker never
appears" is a check that can fail.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tate.errors import TateError
from tate.predict.modelfile import (
    MAX_TOTAL_BYTES,
    ModelFileError,
    file_digest,
    load_model,
    save_model,
)

Members = dict[str, bytes]


class _Marker:
    """Unpickling this object creates the directory ``path`` (a harmless exploit)."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return (os.makedirs, (self.path,))


def _arrays() -> dict[str, np.ndarray]:
    return {
        "W0": np.arange(12, dtype=np.float64).reshape(3, 4) / 7.0,
        "b0": np.array([1.5, -2.0, 3.25], dtype=np.float32),
        "classes": np.array([3, 7, 11], dtype=np.int64),
        "mask": np.array([[True, False], [False, True]]),
        "scalar": np.array(42, dtype=np.int16),
    }


def _config() -> dict[str, Any]:
    return {"activation": "relu", "layers": [4, 3], "alpha": 1e-4, "note": None, "ok": True}


@pytest.fixture()
def model(tmp_path: Path) -> Path:
    path = tmp_path / "model.tate.zip"
    save_model(path, "mlp", _config(), _arrays())
    return path


def _members(path: Path) -> Members:
    with zipfile.ZipFile(path) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist()}


def _write_zip(path: Path, members: Members | list[tuple[str, bytes]]) -> Path:
    items = list(members.items()) if isinstance(members, dict) else members
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in items:
            info = zipfile.ZipInfo(name)  # keeps the name exactly as given
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return path


def _rebuild(src: Path, dst: Path, change: Callable[[Members], None]) -> Path:
    members = _members(src)
    change(members)
    return _write_zip(dst, members)


def _edit_manifest(change: Callable[[dict[str, Any]], None]) -> Callable[[Members], None]:
    def edit(members: Members) -> None:
        doc = json.loads(members["model.json"])
        change(doc)
        members["model.json"] = json.dumps(doc).encode()

    return edit


def _npy(arr: np.ndarray, allow_pickle: bool = False) -> bytes:
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=allow_pickle)
    return buf.getvalue()


def _refused(path: Path, reason: str, kind: str | None = None) -> ModelFileError:
    with pytest.raises(ModelFileError) as info:
        load_model(path, kind=kind)
    message = str(info.value)
    assert message.startswith(f"{path}: "), message
    assert reason in message, message
    return info.value


# ----------------------------------------------------------------------------- round trip


def test_round_trip_keeps_values_dtypes_config_and_is_read_only(model: Path) -> None:
    config, arrays = load_model(model, kind="mlp")
    assert config == _config()
    expected = _arrays()
    assert sorted(arrays) == sorted(expected)
    for name, arr in expected.items():
        assert arrays[name].dtype == arr.dtype
        assert arrays[name].shape == arr.shape
        np.testing.assert_array_equal(arrays[name], arr)
        assert not arrays[name].flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        arrays["W0"][0, 0] = 1.0


_DTYPES = st.sampled_from(
    [np.float64, np.float32, np.int64, np.int32, np.int16, np.int8, np.uint8, np.bool_]
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    arr=_DTYPES.flatmap(
        lambda dt: hnp.arrays(dt, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0))
    ),
    fortran=st.booleans(),
    big_endian=st.booleans(),
)
def test_round_trip_any_allowed_array(
    tmp_path: Path, arr: np.ndarray, fortran: bool, big_endian: bool
) -> None:
    value = arr.T.copy().T if fortran else arr  # Fortran-ordered when 2-D or more
    if big_endian:
        value = value.astype(value.dtype.newbyteorder(">"))
    path = tmp_path / "m.zip"
    save_model(path, "any", {}, {"a": value})
    _, arrays = load_model(path)
    assert arrays["a"].dtype.name == value.dtype.name
    assert arrays["a"].shape == value.shape
    np.testing.assert_array_equal(arrays["a"], value)


def test_saves_are_bit_identical_and_independent_of_dict_order(tmp_path: Path) -> None:
    a, b = tmp_path / "a.zip", tmp_path / "sub" / "b.zip"
    b.parent.mkdir()
    save_model(a, "mlp", _config(), _arrays())
    reversed_arrays = dict(reversed(list(_arrays().items())))
    reversed_config = dict(reversed(list(_config().items())))
    save_model(b, "mlp", reversed_config, reversed_arrays)
    assert a.read_bytes() == b.read_bytes()
    with zipfile.ZipFile(a) as zf:
        infos = zf.infolist()
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert {i.external_attr >> 16 for i in infos} == {0o100644}
    assert {i.compress_type for i in infos} == {zipfile.ZIP_DEFLATED}


def test_manifest_lists_sha256_of_little_endian_bytes(model: Path) -> None:
    doc = json.loads(_members(model)["model.json"])
    assert doc["format"] == "tate-model" and doc["version"] == 1 and doc["kind"] == "mlp"
    entry = {e["name"]: e for e in doc["arrays"]}["W0"]
    w0 = _arrays()["W0"]
    assert entry["sha256"] == hashlib.sha256(w0.astype("<f8").tobytes()).hexdigest()
    assert entry["dtype"] == "float64" and entry["shape"] == [3, 4]


# ----------------------------------------------------------------------------- atomic write


def test_failed_write_leaves_old_file_and_no_temporary(
    model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = model.read_bytes()

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(ModelFileError, match="cannot write"):
        save_model(model, "mlp", {"other": 1}, {"x": np.zeros(3)})
    assert model.read_bytes() == before
    assert sorted(p.name for p in model.parent.iterdir()) == [model.name]


def test_save_overwrites_and_leaves_no_temporary(model: Path) -> None:
    save_model(model, "hgb", {"n": 1}, {"x": np.ones(2)})
    config, _ = load_model(model, kind="hgb")
    assert config == {"n": 1}
    assert sorted(p.name for p in model.parent.iterdir()) == [model.name]


# ----------------------------------------------------------------------------- save refusals


@pytest.mark.parametrize(
    ("arrays", "reason"),
    [
        ({"a": np.array([{"x": 1}], dtype=object)}, "pickle"),
        ({"a": np.array(["text"])}, "not allowed"),
        ({"a": np.zeros(2, dtype=[("x", "f8"), ("y", "i4")])}, "structured"),
        ({"a": np.zeros(2, dtype=np.complex128)}, "not allowed"),
        ({"a": np.zeros(2, dtype=np.float16)}, "not allowed"),
        ({"a/b": np.zeros(2)}, "must match"),
        ({"a.npy": np.zeros(2)}, "must match"),
        ({"": np.zeros(2)}, "must match"),
    ],
)
def test_save_refuses_bad_arrays(tmp_path: Path, arrays: dict[str, Any], reason: str) -> None:
    path = tmp_path / "m.zip"
    with pytest.raises(ModelFileError, match=reason) as info:
        save_model(path, "mlp", {}, arrays)
    assert str(info.value).startswith(f"{path}: ")
    assert not path.exists()


@pytest.mark.parametrize(
    ("config", "reason"),
    [
        ({"w": np.zeros(2)}, "ndarray is not JSON-serialisable"),
        ({"s": {1, 2}}, "set is not JSON-serialisable"),
        ({"x": float("nan")}, "not finite"),
        ({"nested": [1, {"deep": float("inf")}]}, "not finite"),
        ({1: "int key"}, "not a string"),
        ({"n": np.int64(3)}, "int64 is not JSON-serialisable"),
    ],
)
def test_save_refuses_non_json_config(tmp_path: Path, config: dict[Any, Any], reason: str) -> None:
    path = tmp_path / "m.zip"
    with pytest.raises(ModelFileError, match=reason):
        save_model(path, "mlp", config, {"a": np.zeros(2)})
    assert not path.exists()


# ----------------------------------------------------------------------------- load refusals


def test_missing_file(tmp_path: Path) -> None:
    _refused(tmp_path / "absent.zip", "no such model file")


def test_text_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.zip"
    path.write_text("just some text\n")
    _refused(path, "not a zip archive")


def test_renamed_json(tmp_path: Path, model: Path) -> None:
    path = tmp_path / "renamed.zip"
    path.write_bytes(_members(model)["model.json"])
    _refused(path, "not a zip archive")


def test_foreign_zip(tmp_path: Path) -> None:
    path = _write_zip(tmp_path / "foreign.zip", {"README.txt": b"hello", "data.csv": b"1,2\n"})
    _refused(path, "no model.json")


def test_stray_pickle_member_is_refused_and_never_unpickled(tmp_path: Path, model: Path) -> None:
    marker = tmp_path / "pwned"
    probe = tmp_path / "probe"
    pickle.loads(pickle.dumps(_Marker(str(probe))))  # the payload is live
    assert probe.is_dir()
    payload = pickle.dumps(_Marker(str(marker)))
    bad = _rebuild(model, tmp_path / "bad.zip", lambda m: m.update({"x.pkl": payload}))
    _refused(bad, "unexpected member 'x.pkl'")
    assert not marker.exists()


def test_pickle_as_listed_npy_member_is_refused(tmp_path: Path, model: Path) -> None:
    marker = tmp_path / "pwned"
    payload = pickle.dumps(_Marker(str(marker)))
    bad = _rebuild(model, tmp_path / "bad.zip", lambda m: m.update({"W0.npy": payload}))
    _refused(bad, "array 'W0': not a valid .npy member")
    assert not marker.exists()


def test_object_npy_needing_pickle_is_refused(tmp_path: Path, model: Path) -> None:
    marker = tmp_path / "pwned"
    obj = np.array([_Marker(str(marker)), 1], dtype=object)
    payload = _npy(obj, allow_pickle=True)
    with pytest.raises(ValueError, match="allow_pickle"):  # numpy itself refuses it
        np.load(io.BytesIO(payload), allow_pickle=False)
    assert not marker.exists()
    bad = _rebuild(model, tmp_path / "bad.zip", lambda m: m.update({"W0.npy": payload}))
    _refused(bad, "array 'W0': needs pickle")
    assert not marker.exists()


def test_whole_file_is_a_pickle(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    path = tmp_path / "model.zip"
    path.write_bytes(pickle.dumps(_Marker(str(marker))))
    _refused(path, "not a zip archive")
    assert not marker.exists()


def test_wrong_format_tag(tmp_path: Path, model: Path) -> None:
    change = _edit_manifest(lambda d: d.update({"format": "other-model"}))
    _refused(_rebuild(model, tmp_path / "bad.zip", change), "format tag")


def test_wrong_version(tmp_path: Path, model: Path) -> None:
    change = _edit_manifest(lambda d: d.update({"version": 2}))
    _refused(_rebuild(model, tmp_path / "bad.zip", change), "unsupported format version 2")


def test_wrong_kind(model: Path) -> None:
    _refused(model, "is a 'mlp' model, expected 'hgb'", kind="hgb")


def test_listed_array_missing(tmp_path: Path, model: Path) -> None:
    def drop(members: Members) -> None:
        del members["b0.npy"]

    _refused(_rebuild(model, tmp_path / "bad.zip", drop), "array 'b0' listed in model.json")


def test_dtype_differs_from_manifest(tmp_path: Path, model: Path) -> None:
    def change(doc: dict[str, Any]) -> None:
        {e["name"]: e for e in doc["arrays"]}["W0"]["dtype"] = "float32"

    _refused(
        _rebuild(model, tmp_path / "bad.zip", _edit_manifest(change)),
        "dtype float64 differs from manifest float32",
    )


def test_manifest_dtype_not_allowed(tmp_path: Path, model: Path) -> None:
    def change(doc: dict[str, Any]) -> None:
        {e["name"]: e for e in doc["arrays"]}["W0"]["dtype"] = "object"

    _refused(_rebuild(model, tmp_path / "bad.zip", _edit_manifest(change)), "invalid array entry")


def test_npy_dtype_not_allowed(tmp_path: Path, model: Path) -> None:
    half = _npy(np.zeros((3, 4), dtype=np.float16))
    bad = _rebuild(model, tmp_path / "bad.zip", lambda m: m.update({"W0.npy": half}))
    _refused(bad, "array 'W0': dtype float16 is not allowed")


def test_shape_differs(tmp_path: Path, model: Path) -> None:
    def change(doc: dict[str, Any]) -> None:
        {e["name"]: e for e in doc["arrays"]}["W0"]["shape"] = [4, 3]

    _refused(_rebuild(model, tmp_path / "bad.zip", _edit_manifest(change)), "shape [3, 4]")


def test_flipped_byte_fails_checksum(tmp_path: Path, model: Path) -> None:
    def flip(members: Members) -> None:
        data = bytearray(members["W0.npy"])
        data[-5] ^= 0x01  # inside the array data, after the header
        members["W0.npy"] = bytes(data)

    _refused(_rebuild(model, tmp_path / "bad.zip", flip), "array 'W0': SHA-256 mismatch")


def test_truncated_npy_data(tmp_path: Path, model: Path) -> None:
    cut = _rebuild(model, tmp_path / "bad.zip", lambda m: m.update({"W0.npy": m["W0.npy"][:-8]}))
    _refused(cut, "data length does not match")


@pytest.mark.parametrize("name", ["../evil.npy", "/abs.npy", "sub/x.npy", "C:evil.npy"])
def test_unsafe_member_names(tmp_path: Path, model: Path, name: str) -> None:
    bad = _rebuild(model, tmp_path / "bad.zip", lambda m: m.update({name: b"x"}))
    _refused(bad, f"unsafe member name {name!r}")


def test_duplicate_member(tmp_path: Path, model: Path) -> None:
    items = list(_members(model).items())
    items.append(("W0.npy", _npy(np.ones((3, 4)))))
    with pytest.warns(UserWarning, match="Duplicate name"):
        bad = _write_zip(tmp_path / "bad.zip", items)
    _refused(bad, "duplicate member 'W0.npy'")


def test_zip_bomb_refused_from_declared_size(tmp_path: Path, model: Path) -> None:
    bomb = b"\0" * (MAX_TOTAL_BYTES + 1)
    bad = _rebuild(model, tmp_path / "bomb.zip", lambda m: m.update({"pad.npy": bomb}))
    assert bad.stat().st_size < MAX_TOTAL_BYTES // 100  # it really is a bomb
    _refused(bad, "exceeds the")


def test_invalid_json_manifest(tmp_path: Path, model: Path) -> None:
    bad = _rebuild(model, tmp_path / "bad.zip", lambda m: m.update({"model.json": b"{oops"}))
    _refused(bad, "model.json is not valid JSON")


def test_errors_are_tate_errors_and_pickle() -> None:
    err = ModelFileError("m.zip", "broken")
    assert isinstance(err, TateError)
    again = pickle.loads(pickle.dumps(err))
    assert str(again) == "m.zip: broken" and again.file == "m.zip" and again.reason == "broken"


# ----------------------------------------------------------------------------- digest


def test_file_digest_matches_hashlib_on_whole_file(tmp_path: Path, model: Path) -> None:
    assert file_digest(model) == hashlib.sha256(model.read_bytes()).hexdigest()
    big = tmp_path / "big.bin"
    big.write_bytes(np.random.default_rng(1).bytes(3 * 2**20 + 17))  # several read chunks
    assert file_digest(big) == hashlib.sha256(big.read_bytes()).hexdigest()


def test_file_digest_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="cannot read"):
        file_digest(tmp_path / "absent")
