"""Command and control: threat evaluation, engageability and weapon-target assignment.

``threat`` classifies tracks from their kinematics and predicts where they come down,
which defended asset they threaten, when, and how urgently; ``engage`` finds when and
where each weapon can meet each track and with what kill probability; ``wta`` assigns
weapons to targets for one decision cycle, exactly (MILP on HiGHS) or greedily, through
the ``ASSIGNERS`` registry; ``doctrine`` keeps the shoot-look-shoot holds on threats and
tracks between decisions and caps the rounds per target.  Equations and sources:
docs/c2.md.
"""
