"""The sequences room of the workbench: the sequences and their figures, enrolling, pausing and ending
enrollments, working a due step (e-mail, call, task), the tick that makes due steps tasks."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from revdesk.core.common.models import User
from revdesk.db.common.desk import Desk

if TYPE_CHECKING:
    from revdesk.db.calls.services import Logged
    from revdesk.db.sequences.definitions import SequenceFigures, StoredSequence
    from revdesk.db.sequences.enrollment_queries import EnrollCandidate, EnrollmentList
    from revdesk.db.sequences.enrollments import Enrolled
    from revdesk.db.sequences.steps import EmailDraft, StepWork


class EnrollChoices(NamedTuple):
    """What the enroll dialog offers: the sequences, whose queue (me, then my team's other SDRs), the contacts."""

    sequences: list[StoredSequence]
    owners: list[User]
    candidates: list[EnrollCandidate]


class SequencesDesk(Desk):
    def sequences(self) -> list[StoredSequence]:
        from revdesk.db.sequences.definitions import list_sequences

        return list_sequences(self._conn)

    def sequence_figures(self) -> list[SequenceFigures]:
        from revdesk.db.sequences.definitions import sequence_figures

        return sequence_figures(self._conn)

    def sequence_enrollments(self, sequence_id: int) -> EnrollmentList:
        from revdesk.db.sequences.enrollment_queries import sequence_enrollments

        return sequence_enrollments(self._conn, sequence_id)

    def enroll_choices(self, contact_ids: list[int]) -> EnrollChoices:
        from revdesk.db.common.users import team_members
        from revdesk.db.sequences.definitions import list_sequences
        from revdesk.db.sequences.enrollment_queries import enroll_candidates

        me = self.me
        mates = [u for u in team_members(self._conn, me.team) if u.role == "sdr" and u.id != me.id]
        return EnrollChoices(list_sequences(self._conn), [me, *mates], enroll_candidates(self._conn, contact_ids))

    def account_enroll_contacts(self, account_id: int) -> tuple[list[int], list[str]]:
        """The account's contacts one may enroll, and the names of those who may not be contacted."""
        from revdesk.db.sequences.enrollment_queries import account_contacts

        return account_contacts(self._conn, account_id)

    def step_work(self, task_id: int) -> StepWork:
        """The due step behind a task (its sequence, number, channel and note)."""
        from revdesk.db.sequences.steps import due_step

        return due_step(self._conn, self.me, task_id)[0]

    def next_step(self, task_id: int) -> tuple[int, str | None] | None:
        from revdesk.db.sequences.enrollments import next_step

        return next_step(self._conn, task_id)

    def email_draft(self, task_id: int) -> EmailDraft:
        from revdesk.db.sequences.steps import email_draft

        return email_draft(self._conn, self.me, task_id, self.now())

    def live_enrollment(self, contact_id: int, key: str | None = None) -> int:
        from revdesk.db.sequences.enrollments import live_enrollment

        return live_enrollment(self._conn, contact_id, key)

    def warm_up_sequences(self) -> None:
        """Load the scheduling libraries and holidays before the first step is worked (from a worker)."""
        from revdesk.db.sequences.enrollments import warm_up

        warm_up(self._conn, self.me.id, self.today())

    # -- writes ----------------------------------------------------------------------------------------------
    def apply_sequence(self, source: str, origin: str) -> StoredSequence:
        from revdesk.db.sequences.definitions import apply_sequence

        now = self.now()
        return self._write(lambda conn: apply_sequence(conn, source, origin, now))

    def enroll(self, key: str, contact_ids: list[int], owner: User | None = None) -> Enrolled:
        from revdesk.db.sequences.enrollments import enroll

        me, now = self.me, self.now()
        return self._write(lambda conn: enroll(conn, me, key, contact_ids, now, owner))

    def change_enrollment(self, enrollment_id: int, action: str) -> None:
        from revdesk.db.sequences.enrollments import change_status

        me, now = self.me, self.now()
        self._write(lambda conn: change_status(conn, me, enrollment_id, action, now))

    def send_email_step(self, task_id: int) -> Logged:
        from revdesk.db.sequences.steps import send_email_step

        playbook, me, now = self.playbook, self.me, self.now()
        return self._write(lambda conn: send_email_step(conn, playbook, me, task_id, now))

    def complete_step(self, task_id: int) -> Logged | int:
        from revdesk.db.sequences.steps import complete_step

        playbook, me, now = self.playbook, self.me, self.now()
        return self._write(lambda conn: complete_step(conn, playbook, me, task_id, now))

    def skip_step(self, task_id: int) -> int:
        from revdesk.db.sequences.enrollments import skip_step

        me, now = self.me, self.now()
        return self._write(lambda conn: skip_step(conn, me, task_id, now))

    def tick_sequences(self) -> dict[str, int]:
        """Due sequence steps become tasks; safe to run any time (see db.sequences.enrollments.tick)."""
        from revdesk.db.sequences.enrollments import tick

        now = self.now()
        return self._write(lambda conn: tick(conn, now))
