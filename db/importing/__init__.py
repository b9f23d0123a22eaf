"""Importing and exporting CRM data (data)."""
