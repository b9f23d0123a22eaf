"""Dialogs shared by several screens: a note, a follow-up, picking a person, confirming."""
