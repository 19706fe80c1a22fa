"""Compiled radar scene of a chunk of look times (the per-chunk numpy steps of the
detection simulation in one call).

:func:`scene` is the compiled twin of :func:`tate.sensors.radar_scene.radar_scene` with
the geometry of :class:`tate.sensors.simulate._Scene`: for every look time ``i`` and body
``j`` of a chunk, in one loop with scalar math,

* geometry: range, azimuth, elevation in the sensor's ENU frame
  (:func:`tate.sensors.simulate._aer`), range ``inf`` out of flight;
* the angle off the nearest face's boresight (:func:`tate.sensors.radar.off_boresight`);
* visibility (:func:`tate.sensors.radar.visible`: range, 4/3-Earth horizon, elevation
  limits, face coverage), and in flight;
* aspect angle and mean RCS (:func:`tate.sensors.rcs.aspect_angle`,
  :func:`tate.sensors.rcs.rcs_m2_coded`, ``np.interp`` over the aspect nodes in dB);
* SNR [dB] (:func:`tate.sensors.radar.snr_db`), P_d for Swerling 1/2 and 3/4
  (:func:`tate.sensors.detection.pd_swerling`; Swerling 0 stays numpy), 0 where not
  visible;
* the search-raster position (:func:`tate.sensors.schedule.radar_search_position`);
* the cosine of the angle off boresight, from which :func:`accuracy` gives the
  measurement standard deviations (:func:`tate.sensors.radar.measurement_std`) of the
  few pairs detected (:func:`hits`) instead of every pair in sight.

:func:`bodies` is the compiled twin of the truth every radar of a run shares per chunk
(``TruthTracks.at``, ``simulate._bodies``, ``wgs84.geodetic_altitude``,
``TruthTracks.codes``): positions and velocities interpolated between the recorded
samples, their heights and kind codes, one call per chunk.  :func:`hits` gathers the
rows of a radar's detections (with their measurement noise) and :func:`track_frame` the
truth table's positions in the track frame: the compiled twins of
:func:`tate.sensors.tables._add_looks` and :func:`tate.sensors.tables._truth_rows`.

Every operation is the numpy code's, in its order (numpy's floor-modulo, NaN-propagating
minimum and maximum, ``np.interp``'s formula); numba's sin, cos, atan2, hypot, asin,
log10, exp and ``**`` give numpy's bits here, so the outputs are identical
where they are read (``tests/unit/sensors/test_chunk_jit.py`` checks them): the work on
bodies out of flight or out of sight, whose accuracy, SNR (and angles) nobody reads, is
skipped.  Frames and units: ECEF positions
[m] and velocities [m/s] in, the sensor's ENU azimuth/elevation [rad], range [m], SNR
[dB] out.  Not imported by ``tate`` itself.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tate.earth import wgs84
from tate.flight._eom_jit import geodetic_altitude
from tate.jit import njit

__all__ = ["accuracy", "bodies", "fill", "geometry", "hits", "ranges", "scene", "track_frame"]

F64 = NDArray[np.float64]
_TWO_PI = 2.0 * np.pi
_PI = np.pi
_BIG = np.finfo(np.float64).max  # np.nan_to_num's value for inf
_A = wgs84.A  # the surface point that stands for a body out of flight


@njit
def _maximum(a: float, b: float) -> float:
    """``np.maximum`` of two floats (NaN propagating)."""
    if a != a:
        return a
    if b != b:
        return b
    return a if a >= b else b


@njit
def _minimum(a: float, b: float) -> float:
    """``np.minimum`` of two floats (NaN propagating)."""
    if a != a:
        return a
    if b != b:
        return b
    return a if a <= b else b


@njit
def _mod(x: float, y: float) -> float:
    """numba's (Python's) ``x % y`` for ``y > 0``, the same bits without its call to
    ``fmod`` where ``|x| < 2 y``: there ``fmod(x, y)`` is ``x`` or ``x ∓ y``, exact
    (Sterbenz); elsewhere (NaN included) ``x % y`` itself."""
    a = abs(x)
    if a < y:
        r = x
    elif a < 2.0 * y:
        r = x - y if x > 0.0 else x + y
    else:
        return x % y
    if r != 0.0:  # (numba's sign rule)
        if r < 0.0:
            r += y
    else:
        r = 0.0
    return r


@njit
def _same(a: float, b: float) -> bool:
    """``a`` and ``b`` are the same value, the sign of a zero included (NaN: never)."""
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


@njit
def _interp(x: float, xp: F64, table: F64, row: int) -> float:
    """``np.interp(x, xp, table[row])`` of one finite value (numpy's formula and edge
    rules; the row read in place, no slice)."""
    last = xp.size - 1
    if x > xp[last]:
        return table[row, last]
    if x < xp[0]:
        return table[row, 0]
    lo, hi = 0, last
    if x >= xp[last]:
        return table[row, last]
    while hi - lo > 1:  # xp[lo] <= x < xp[hi]
        mid = (lo + hi) // 2
        if x >= xp[mid]:
            lo = mid
        else:
            hi = mid
    if xp[lo] == x:
        return table[row, lo]
    slope = (table[row, lo + 1] - table[row, lo]) / (xp[lo + 1] - xp[lo])
    return slope * (x - xp[lo]) + table[row, lo]


@njit
def scene(safe: F64, vel: F64, alt: F64, codes: NDArray[np.int64], alive: NDArray[np.bool_],
          spos: F64, lat: F64, lon: F64, heading: F64, salt: F64, faces: int, par: F64,
          swerling: int, nodes: F64, tables_db: F64
          ) -> tuple[F64, F64, F64, F64, F64, F64, F64]:
    """The radar scene of ``k`` look times and ``n`` bodies.

    Parameters
    ----------
    safe, vel
        Bodies' ECEF positions (a surface point out of flight) [m] and velocities (0 out
        of flight) [m/s], ``(k, n, 3)``.
    alt, codes, alive
        Bodies' heights above the ellipsoid [m], kind codes and in-flight mask ``(k, n)``.
    spos, lat, lon, heading, salt
        The sensor platform's ECEF position ``(k, 3)`` [m], latitude, longitude, heading
        [rad] and height [m] ``(k,)``.
    faces
        ``spec.faces``.
    par
        ``(face_tilt_rad, scan_loss_exp, max_scan_rad, min_el_rad, max_el_rad,
        max_range_m, snr_ref_db, ref_range_m, range_res_m, beamwidth_rad, pfa,
        2·k·R_e of the radar horizon, monopulse slope, range bias [m], angle bias [rad],
        cos floor)``.
    swerling
        1 or 3: P_d of that case; anything else: P_d left NaN (computed by the caller).
    nodes, tables_db
        Aspect nodes [rad] ``(m,)`` and the RCS tables [dBsm] ``(kinds, m)``.

    Returns
    -------
    rng, az, el, cos, snr, pd, u : ``(k, n)`` each
        Slant range (inf out of flight) [m], azimuth, elevation [rad], cosine of the angle
        off boresight (floored, as :func:`tate.sensors.radar.measurement_std`'s), SNR [dB],
        P_d (0 where not visible), search-raster position [0, 1).  Only what the time line
        and the detections read is computed: out of flight the range and P_d (the rest
        NaN); in flight but not visible (never detected) also the angles and search
        position (cosine and SNR NaN).  The accuracy of a pair: :func:`accuracy`.
    """
    out, lazy = geometry(safe, vel, alt, codes, alive, spos, lat, lon, heading, salt, faces,
                         par, swerling, nodes, tables_db)
    k, n = alive.shape
    idx = np.empty(n, np.int64)
    for i in range(k):
        m = 0
        for j in range(n):
            if alive[i, j]:
                idx[m] = j
                m += 1
        fill(i, idx, m, lazy)
    return out[0], out[1], out[2], out[3], out[4], out[5], out[6]


@njit
def geometry(safe: F64, vel: F64, alt: F64, codes: NDArray[np.int64], alive: NDArray[np.bool_],
             spos: F64, lat: F64, lon: F64, heading: F64, salt: F64, faces: int, par: F64,
             swerling: int, nodes: F64, tables_db: F64) -> tuple[F64, Any]:
    """The part of :func:`scene` every pair in flight needs (the time line reads it):
    ``out (10, k, n)`` with the azimuth and search position of the pairs in flight
    (out of flight: as :func:`scene`'s), their range, elevation, cosine, SNR and P_d left
    NaN until :func:`fill` fills them (the range by :func:`ranges` too: from ``out[7]``,
    ``out[9]`` and ``out[8]``, the east, north and up distances [m]: its hypots and the
    elevation's atan2 only for the pairs looked at or rationed by range); and ``lazy``,
    the arguments of :func:`fill` (the faces' boresight vectors and the radar horizon of
    each look time included)."""
    k, n = alive.shape
    tilt, two_re = par[0], par[11]
    out = np.empty((10, k, n))  # (7, 9, 8: east, north, up, for the range and el)
    nf = max(faces, 1)
    fv = np.empty((k, 2, nf))
    hr = np.empty(k)
    cb = math.cos(tilt)
    cst = np.array([math.sin(tilt), -math.log(par[10])])  # sin tilt, −ln P_fa
    half = 0.5 if faces > 0 else 0.0
    sl = cl = so = co = 0.0
    for i in range(k):  # (a look's trig is the last one's where its angles are the same)
        if i == 0 or not (_same(lat[i], lat[i - 1]) and _same(lon[i], lon[i - 1])):
            sl, cl = math.sin(lat[i]), math.cos(lat[i])
            so, co = math.sin(lon[i]), math.cos(lon[i])
        same = i > 0 and _same(heading[i], heading[i - 1])
        for f in range(faces):
            if same:
                fv[i, 0, f], fv[i, 1, f] = fv[i - 1, 0, f], fv[i - 1, 1, f]
            else:
                face_az = heading[i] + _TWO_PI * f / faces
                fv[i, 0, f], fv[i, 1, f] = cb * math.sin(face_az), cb * math.cos(face_az)
        hr[i] = math.sqrt(two_re * _maximum(salt[i], 0.0))
        for j in range(n):
            if not alive[i, j]:  # out of flight: only the range (inf) and P_d (0) are read
                out[0, i, j] = np.inf
                for q in (1, 2, 3, 4, 6):
                    out[q, i, j] = np.nan
                out[5, i, j] = 0.0
                continue
            x = safe[i, j, 0] - spos[i, 0]
            y = safe[i, j, 1] - spos[i, 1]
            z = safe[i, j, 2] - spos[i, 2]
            t = co * x + so * y
            e, nn, u = co * y - so * x, cl * z - sl * t, cl * t + sl * z
            az = _mod(math.atan2(e, nn), _TWO_PI)
            if az >= _TWO_PI:
                az = 0.0
            out[1, i, j] = az
            out[7, i, j], out[8, i, j], out[9, i, j] = e, u, nn  # (range, el: by fill)
            out[6, i, j] = _mod(nf * (az - heading[i]) / _TWO_PI + half, 1.0)
            out[0, i, j] = out[2, i, j] = out[3, i, j] = out[4, i, j] = out[5, i, j] = np.nan
    return out, (out, fv, hr, cst, safe, vel, alt, codes, spos, faces, par, swerling, nodes,
                 tables_db)


@njit
def fill(i: int, idx: NDArray[np.int64], m: int, lazy: Any) -> None:
    """Fill the elevation, cosine, SNR and P_d of the pairs ``(i, idx[:m])`` (in flight) of
    :func:`geometry`'s ``out`` (``lazy``: its arguments): visibility, the angle off the
    nearest face, aspect, RCS, SNR and P_d, as :func:`scene` does for every pair in
    flight (the time line calls it only for the pairs it looks at: P_d is read there,
    and the accuracy only of those detected)."""
    (out, fv, hr, cst, safe, vel, alt, codes, spos, faces, par, swerling, nodes,
     tables_db) = lazy
    p, max_scan, min_el, max_el, max_range = par[1], par[2], par[3], par[4], par[5]
    snr_ref, ref_range, pfa, two_re, min_cos = par[6], par[7], par[10], par[11], par[15]
    for q in range(m):
        j = idx[q]
        horiz = math.hypot(out[7, i, j], out[9, i, j])
        r = out[0, i, j] = math.hypot(horiz, out[8, i, j])
        az = out[1, i, j]
        el = out[2, i, j] = math.atan2(out[8, i, j], horiz)
        # visibility: range, horizon, elevation limits, then the faces' coverage
        horizon = hr[i] + math.sqrt(two_re * _maximum(alt[i, j], 0.0))
        vis = r <= max_range and r <= horizon and el >= min_el and el <= max_el
        off, cos = 0.0, 1.0
        if vis and faces > 0:  # the angle off the nearest face's boresight
            ce, sa, ca, se = math.cos(el), math.sin(az), math.cos(az), math.sin(el)
            dz = se - cst[0]
            dz2 = dz * dz
            c = 0.0
            for f in range(faces):
                dx = ce * sa - fv[i, 0, f]
                dy = ce * ca - fv[i, 1, f]
                cf2 = math.sqrt((dx * dx + dy * dy) + dz2)
                c = cf2 if f == 0 else _minimum(c, cf2)
            off = 2.0 * math.asin(_minimum(c / 2.0, 1.0))
            cos = _maximum(math.cos(off), min_cos)
            vis = off <= max_scan
        if not vis:  # never detected (P_d 0): its accuracy and SNR are not read
            out[5, i, j] = 0.0
            continue
        # aspect and RCS
        x = safe[i, j, 0] - spos[i, 0]
        y = safe[i, j, 1] - spos[i, 1]
        z = safe[i, j, 2] - spos[i, 2]
        v0, v1, v2 = vel[i, j, 0], vel[i, j, 1], vel[i, j, 2]
        l0, l1, l2 = -x, -y, -z
        c0, c1, c2 = v1 * l2 - v2 * l1, v2 * l0 - v0 * l2, v0 * l1 - v1 * l0
        cross = math.sqrt((c0 * c0 + c1 * c1) + c2 * c2)
        asp = math.atan2(cross, (v0 * l0 + v1 * l1) + v2 * l2)
        asp = abs(_mod(asp + _PI, _TWO_PI) - _PI)
        sigma = 10.0 ** (_interp(asp, nodes, tables_db, codes[i, j]) / 10.0)
        # SNR, P_d, accuracy
        snr = snr_ref + 10.0 * math.log10(sigma) - 40.0 * math.log10(r / ref_range)
        if faces > 0:
            snr = snr + 20.0 * p * math.log10(cos)
        chi = 10.0 ** (snr / 10.0)
        if swerling == 1:
            pd = pfa ** (1.0 / (1.0 + chi))
        elif swerling == 3:
            t_fa = cst[1]
            pd = (1.0 + 2.0 * chi * t_fa / (2.0 + chi) ** 2) * math.exp(-2.0 * t_fa / (2.0 + chi))
        else:
            pd = np.nan
        out[3, i, j] = cos
        out[4, i, j] = snr
        out[5, i, j] = pd


@njit
def ranges(i: int, idx: NDArray[np.int64], m: int, lazy: Any) -> None:
    """Fill the range [m] of the pairs ``(i, idx[:m])`` (in flight) of :func:`geometry`'s
    ``out`` (``lazy``: its arguments), as :func:`fill` does (the time line's rationing
    reads the range of the due targets it sorts)."""
    out = lazy[0]
    for q in range(m):
        j = idx[q]
        out[0, i, j] = math.hypot(math.hypot(out[7, i, j], out[9, i, j]), out[8, i, j])


@njit
def _stds(snr: float, cos: float, par: F64) -> tuple[float, float]:
    """σ_R [m] and σ_az = σ_el [rad] at ``snr`` [dB] and boresight cosine ``cos``: the
    measurement accuracy :func:`scene` once computed per pair (the same operations)."""
    chi = 10.0 ** (snr / 10.0)
    root = 1.0 / math.sqrt(2.0 * chi)
    return (math.hypot(par[8] * root, par[13]),
            math.hypot(par[9] / (cos * par[12]) * root, par[14]))


@njit
def accuracy(snr: F64, cos: F64, par: F64) -> tuple[F64, F64]:
    """σ_R [m] and σ_az = σ_el [rad] of every pair of a scene (``snr``, ``cos`` ``(k, n)``
    of :func:`scene`, its ``par``): the twin of :func:`tate.sensors.radar.measurement_std`
    where ``snr`` is not NaN (NaN elsewhere)."""
    k, n = snr.shape
    std_r, std_a = np.full((k, n), np.nan), np.full((k, n), np.nan)
    for i in range(k):
        for j in range(n):
            if snr[i, j] == snr[i, j]:
                std_r[i, j], std_a[i, j] = _stds(snr[i, j], cos[i, j], par)
    return std_r, std_a


@njit
def bodies(t: F64, keys: F64, t_min: float, span: float, time: F64, pos: F64, vel: F64,
           start: NDArray[np.intp], t_first: F64, t_last: F64, t_switch: F64,
           code_before: NDArray[np.int64], code_after: NDArray[np.int64]
           ) -> tuple[F64, F64, F64, NDArray[np.int64], NDArray[np.bool_]]:
    """The bodies of a chunk of look times ``t (k,)``, as every radar sees them alike.

    The compiled twin of :meth:`tate.sensors.simulate.TruthTracks.at` (``keys``,
    ``t_min``, ``span``: its ``_keys``; the other arrays: the truth's fields) followed by
    :func:`tate.sensors.simulate._bodies`, ``wgs84.geodetic_altitude`` and
    :meth:`~tate.sensors.simulate.TruthTracks.codes`: the same sample search (in the
    sorted keys, body by body, a pointer walking forward while the times increase), the
    same interpolation weights and arithmetic, so the same bits.

    Returns
    -------
    safe, vel0 : ``(k, n, 3)``
        ECEF positions [m] (``(wgs84.A, 0, 0)`` out of flight) and velocities [m/s] (NaN
        and out of flight 0, inf as ``np.nan_to_num``).
    alt, codes, alive : ``(k, n)``
        Height of ``safe`` above the ellipsoid [m], kind code, in flight.
    """
    k, n = t.size, start.size - 1
    safe = np.empty((k, n, 3))
    vel0 = np.empty((k, n, 3))
    alt = np.empty((k, n))
    codes = np.empty((k, n), np.int64)
    alive = np.empty((k, n), np.bool_)
    for j in range(n):
        first, end = start[j], start[j + 1]
        h, last_q = first, -np.inf
        for i in range(k):
            ti = t[i]
            codes[i, j] = code_before[j] if ti < t_switch[j] else code_after[j]
            on = ti >= t_first[j] and ti <= t_last[j]
            alive[i, j] = on
            if not on:
                safe[i, j, 0], safe[i, j, 1], safe[i, j, 2] = _A, 0.0, 0.0
                vel0[i, j, 0], vel0[i, j, 1], vel0[i, j, 2] = 0.0, 0.0, 0.0
                alt[i, j] = geodetic_altitude(_A, 0.0, 0.0)
                continue
            q = j * span + (ti - t_min)  # (ti is within [t_first, t_last]: no clip)
            if q < last_q:  # times going back: search again from the body's first sample
                h = first
            last_q = q
            while h < end and keys[h] <= q:  # searchsorted(keys, q, side="right")
                h += 1
            hi = min(max(h, first + 1), end - 1)
            lo = max(hi - 1, first)
            t0 = time[lo]
            gap = time[hi] - t0
            w = (ti - t0) / gap if gap > 0 else 0.0
            for c in range(3):
                safe[i, j, c] = pos[lo, c] * (1.0 - w) + pos[hi, c] * w
                v = vel[lo, c] * (1.0 - w) + vel[hi, c] * w
                if v != v:
                    v = 0.0
                elif v > _BIG:
                    v = _BIG
                elif v < -_BIG:
                    v = -_BIG
                vel0[i, j, c] = v
            alt[i, j] = geodetic_altitude(safe[i, j, 0], safe[i, j, 1], safe[i, j, 2])
    return safe, vel0, alt, codes, alive


@njit
def hits(rng: F64, az: F64, el: F64, cos: F64, snr: F64, par: F64, hit_i: NDArray[np.int64],
         hit_d: NDArray[np.int64], noise: F64) -> F64:
    """The detection rows of a radar's hits: the compiled twin of the gather and noise
    of :func:`tate.sensors.simulate._add_looks`.

    Row ``q`` is range, az, el (each plus its standard deviation times ``noise[q]``),
    σ_R, σ_az, σ_el (= σ_az, :func:`accuracy`) and SNR of body ``hit_d[q]`` at look
    ``hit_i[q]`` of the scene's ``(k, n)`` arrays (:func:`scene`, with its ``par``):
    ``(m, 7)`` [m, rad, dB]."""
    m = hit_i.size
    det = np.empty((m, 7))
    for q in range(m):
        i, d = hit_i[q], hit_d[q]
        s_r, s_a = _stds(snr[i, d], cos[i, d], par)
        det[q, 0] = rng[i, d] + s_r * noise[q, 0]
        det[q, 1] = az[i, d] + s_a * noise[q, 1]
        det[q, 2] = el[i, d] + s_a * noise[q, 2]
        det[q, 3], det[q, 4], det[q, 5], det[q, 6] = s_r, s_a, s_a, snr[i, d]
    return det


@njit
def track_frame(pos: F64, alive: NDArray[np.bool_], origin: F64, trig: F64
                ) -> tuple[NDArray[np.int64], NDArray[np.int64], F64]:
    """The bodies in flight of a chunk in the track frame: the compiled twin of
    ``np.nonzero(alive)`` and ``wgs84.ecef_to_enu(pos[k, j], lat0, lon0, alt0)`` of
    :func:`tate.sensors.tables._truth_rows` (the same operations in the same order).

    ``pos (k, n, 3)`` ECEF [m] (read in flight only), ``alive (k, n)``, ``origin (3,)``
    the ECEF position of the frame's origin [m], ``trig`` the sine and cosine of its
    latitude and longitude (sin lat, cos lat, sin lon, cos lon).  Returns the look and
    body index of each body in flight (row-major order) and its ENU position ``(m, 3)``
    [m]."""
    k, n = alive.shape
    m = 0
    for i in range(k):
        for j in range(n):
            m += alive[i, j]
    ki = np.empty(m, np.int64)
    ji = np.empty(m, np.int64)
    enu = np.empty((m, 3))
    sl, cl, so, co = trig[0], trig[1], trig[2], trig[3]
    q = 0
    for i in range(k):
        for j in range(n):
            if alive[i, j]:
                x = pos[i, j, 0] - origin[0]
                y = pos[i, j, 1] - origin[1]
                z = pos[i, j, 2] - origin[2]
                t = co * x + so * y
                ki[q], ji[q] = i, j
                enu[q, 0], enu[q, 1], enu[q, 2] = co * y - so * x, cl * z - sl * t, cl * t + sl * z
                q += 1
    return ki, ji, enu
