"""Calls: the Today queue, logging activities and outcomes, follow-ups, scoring (data)."""
