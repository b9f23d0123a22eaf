"""Dormant accounts: finding, assigning, snoozing and reviving them (domain)."""
