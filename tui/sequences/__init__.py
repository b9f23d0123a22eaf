"""Sequences (cadences): definitions, enrollments, due steps (screens)."""
