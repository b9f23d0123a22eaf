"""The Textual app and the command line: presentation and dispatch only."""

__version__ = "0.1.0"
