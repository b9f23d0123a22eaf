"""Shared by every screen: text fitting, widget ids, tables, config, help."""
