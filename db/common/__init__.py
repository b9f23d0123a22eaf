"""Shared by every capability on this floor (data)."""
