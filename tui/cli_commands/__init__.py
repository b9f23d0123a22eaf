"""Subcommands of the `revdesk` command line, one module per group."""
