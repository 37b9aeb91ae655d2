"""Tastemaker's benchmarks: ``make bench`` (or ``python -m bench``) runs them all.

Every figure is a ratio of two things measured side by side in the same run, or a
count: the machines are noisy, so no absolute time is ever compared with a goal.
"""
