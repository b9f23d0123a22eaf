"""Validating playbook TOML: every problem names its key and its line (core.common.validation)."""

from __future__ import annotations

from revdesk.core.common.validation import validate_toml
from revdesk.core.playbook.model import Playbook


def parse_playbook(source: str, origin: str = "playbook") -> Playbook:
    """Parse and validate playbook TOML; raise PlaybookError naming each bad key and its line."""
    return validate_toml(Playbook, source, origin)
