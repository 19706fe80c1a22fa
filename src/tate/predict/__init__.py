"""Trajectory predictors for manoeuvring threats (issue 8)."""
