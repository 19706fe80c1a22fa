"""Tests of the trajectory predictors."""
