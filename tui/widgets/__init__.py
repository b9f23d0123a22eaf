"""Widgets shared by revdesk's screens."""
