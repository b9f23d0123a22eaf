"""Importing and exporting CRM data (domain)."""
