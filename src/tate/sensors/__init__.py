"""Sensors: radar detection physics, horizons and (later) scheduling and elevated sensors."""
