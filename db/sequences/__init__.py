"""Sequences (cadences): definitions, enrollments, due steps (data)."""
