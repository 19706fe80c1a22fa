"""Multi-target tracking: motion models, Kalman filtering vectorised across tracks, metrics.

Tracks are rows of arrays (state ``x (n, k)``, covariance ``P (n, k, k)``), never
one object per track; every kernel here works on all rows at once.
"""
