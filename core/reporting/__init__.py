"""Reporting: the monthly closed-loop report (domain)."""
