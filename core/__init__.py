"""revdesk's domain: models, the playbook, metrics, queue ranking and validation. Pure Python, no I/O."""
