"""Reporting: the monthly closed-loop report (data)."""
