"""Earth models: WGS-84 frames, gravity with J2, the 1976 US Standard Atmosphere."""
