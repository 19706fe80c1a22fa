"""Shoot-look-shoot bookkeeping and the salvo cap (tate.c2.doctrine), worked by hand."""

from __future__ import annotations

import itertools

import numpy as np

from tate.c2.doctrine import Hold, doctrine_cap, free_tracks


def test_a_key_is_held_while_rounds_fly_and_until_its_assessment() -> None:
    h = Hold()
    keys = np.array([7, 8])
    assert not h.held(keys, 0.0).any()
    h.launch(7, 2, due=30.0)  # two rounds, intercept + assessment predicted at 30 s
    np.testing.assert_array_equal(h.held(keys, 1.0), [True, False])
    h.resolve(7, free_at=14.0)  # the first misses early: one still flies
    assert h.held(keys, 20.0)[0]
    h.resolve(7, free_at=16.0)  # the second resolves: free once its assessment is due
    assert h.held(keys, 15.9)[0] and not h.held(keys, 16.0)[0]
    assert not h.held(keys, 16.0)[1]


def test_salvo_cap_keeps_the_best_rounds_per_target() -> None:
    rng = np.random.default_rng(5)
    for _ in range(50):
        w, t, salvo = 4, 3, int(rng.integers(1, 3))
        shots = rng.integers(0, 3, (w, t))
        pk = rng.permutation(w * t).reshape(w, t) / (w * t)  # distinct, no ties
        out = doctrine_cap(shots, pk, salvo)
        for j in range(t):
            # brute force: every way of keeping min(salvo, total) rounds of column j; the
            # cap keeps the one with the largest summed Pk
            rounds = [i for i in range(w) for _ in range(int(shots[i, j]))]
            k = min(salvo, len(rounds))
            best = max((sum(pk[i, j] for i in c) for c in itertools.combinations(rounds, k)),
                       default=0.0)
            assert out[:, j].sum() == k
            assert np.all(out[:, j] <= shots[:, j])
            assert abs(float((out[:, j] * pk[:, j]).sum()) - best) < 1e-12


def test_held_list_is_held_on_python_ints() -> None:
    h = Hold()
    h.launch(3, 1, due=10.0)
    h.launch(5, 1, due=12.0)
    h.resolve(5, free_at=8.0)
    keys = np.array([3, 5, 9, -1])
    for t in (0.0, 7.9, 8.0, 11.0):
        assert h.held_list(keys.tolist(), t) == h.held(keys, t).tolist()
    assert h.held_list([3, 5], 8.0) == [True, False]


def test_free_tracks_is_the_two_holds_in_one_pass() -> None:
    """free_tracks = (threat < 0 or not held by threat) and not held by track id, as
    the decision combined the two held_list calls; on random holds and times."""
    rng = np.random.default_rng(11)
    for _ in range(400):
        by_threat, by_track = Hold(), Hold()
        for h, n in ((by_threat, 6), (by_track, 20)):
            for _ in range(int(rng.integers(0, 5))):
                h.launch(int(rng.integers(-1, n)), int(rng.integers(1, 3)),
                         float(rng.integers(0, 20)))  # ties with t are likely
            for k, n_air in list(h.flying.items()):
                for _ in range(n_air):  # each round resolves, or flies on
                    if rng.random() < 0.7:
                        h.resolve(k, float(rng.integers(0, 20)))
        threats = rng.integers(-1, 6, 8).tolist()
        ids = rng.integers(0, 20, 8).tolist()
        t = float(rng.integers(0, 20))
        want = [(j < 0 or not a) and not b for j, a, b in zip(
            threats, by_threat.held_list(threats, t), by_track.held_list(ids, t),
            strict=True)]
        assert free_tracks(by_threat, by_track, threats, ids, t) == want
    assert free_tracks(Hold(), Hold(), [], [], 0.0) == []


def test_oldest_per_threat_keeps_only_each_threats_least_id() -> None:
    """Against a direct rule: a track stays free iff it was free and no track with a
    smaller id cues the same threat (tracks on no threat untouched)."""
    from tate.c2.doctrine import oldest_per_threat

    rng = np.random.default_rng(5)
    for _ in range(300):
        n = int(rng.integers(0, 9))
        ids = rng.permutation(50)[:n].tolist()
        threats = rng.integers(-1, 4, n).tolist()
        free = (rng.random(n) < 0.7).tolist()
        pairs = list(zip(ids, threats, strict=True))
        want = [f and (j < 0 or all(not (t == j and i < ids[k]) for i, t in pairs))
                for k, (f, j) in enumerate(zip(free, threats, strict=True))]
        got = list(free)
        oldest_per_threat(got, ids, threats)
        assert got == want
