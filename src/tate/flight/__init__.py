"""Flight physics: 3-DoF equations of motion over the rotating Earth and threat models."""
