"""Errors the domain raises. Each names the field and the reason, so a person can fix the input."""

from __future__ import annotations


class RevdeskError(Exception):
    """Base for every error a user can cause and fix."""


class InvalidInput(RevdeskError):
    """Bad input: names the field and why; nothing was written."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class InvalidFields(InvalidInput):
    """Several fields are wrong at once (a handoff's context, a stage's exit criteria): each names its
    field and reason, so the form or the command can show all of them together."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__(problems[0][0], problems[0][1])
        self.args = ("; ".join(f"{field}: {reason}" for field, reason in problems),)
        self.problems = problems

    def __str__(self) -> str:
        return str(self.args[0])


class EnrollmentRefused(InvalidInput):
    """One contact may not be enrolled: `why` says it without the contact's id ("is already in 'X'")."""

    def __init__(self, contact_id: int, why: str) -> None:
        super().__init__("contact", f"{contact_id} {why}")
        self.contact_id = contact_id
        self.why = why


class NotFound(RevdeskError):
    """A record the input names does not exist."""

    def __init__(self, what: str, key: object) -> None:
        super().__init__(f"{what}: no {what} {key!r}")
        self.what = what
        self.key = key


class PlaybookError(RevdeskError):
    """A playbook that cannot be used; every problem names its key and line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class SchemaTooNew(RevdeskError):
    """The database was written by a newer revdesk."""


class NothingToUndo(RevdeskError):
    """There is no change of yours left to undo."""
