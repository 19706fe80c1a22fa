"""Weapons: interceptors, guidance, railgun and the ship power plant."""
