"""The playbook: every rule the team works by (domain)."""
