"""Importing and exporting CRM data (screens)."""
