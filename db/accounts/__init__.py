"""Accounts: their facts, the 360 view, duplicates and merges (data)."""
