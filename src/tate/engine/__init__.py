"""The engagement engine: one defended raid, tick by tick (DESIGN.md §1).

:class:`~tate.engine.engagement.Engagement` runs a concrete scenario with a seed and
returns a frozen :class:`~tate.engine.result.RunResult`.
"""
