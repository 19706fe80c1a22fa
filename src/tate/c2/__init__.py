"""Command and control: threat evaluation and weapon-target assignment.

``threat`` classifies tracks from their kinematics, predicts where they come down,
which defended asset they threaten, when, and how urgently; ``wta`` assigns weapons
to targets for one decision cycle, exactly (MILP on HiGHS) or greedily, through the
``ASSIGNERS`` registry.
"""
