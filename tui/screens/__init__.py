"""revdesk's screens, one per file."""
