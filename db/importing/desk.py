"""The importing room of the workbench, with its neighbours for whole-database work: importing and exporting
records, applying and showing the playbook, the monthly report and what was done since a demo's seed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from revdesk.db.common.desk import Desk

if TYPE_CHECKING:
    from revdesk.core.importing.mapping import ImportMapping
    from revdesk.core.playbook.model import Playbook
    from revdesk.core.reporting.document import ReportDoc
    from revdesk.db.importing.importer import ImportResult

Progress = Callable[[str, int, int], None]


class ImportingDesk(Desk):
    def import_file(self, file: Path, mapping: ImportMapping, *, playbook: Playbook | None = None,
                    dry_run: bool = False, owner_role: str | None = None, owner_map: dict[str, str] | None = None,
                    progress: Progress | None = None) -> ImportResult:
        """Import `file` as `mapping` says (by the playbook in force unless one is given, e.g. a dry run's)."""
        from revdesk.db.importing.importer import run_import

        return run_import(lambda job: self._write(job, "import in progress"), playbook or self.playbook, self.user,
                          file, mapping, self.now(), dry_run=dry_run, owner_role=owner_role, owner_map=owner_map,
                          progress=progress)

    def export_rows(self, kind: str) -> Iterator[dict[str, object]]:
        from revdesk.db.importing.exporter import export_rows

        return export_rows(self._conn, kind)

    # -- the playbook -----------------------------------------------------------------------------------------
    def playbook_source(self) -> tuple[str, str] | None:
        """The playbook in force as it was written, and when it was applied; None before any."""
        from revdesk.db.playbook.stored import current_playbook_source

        return current_playbook_source(self._conn)

    def apply_playbook(self, source: str, origin: str,
                       progress: Callable[[int, int], None] | None = None) -> Playbook:
        """Make `source` the playbook in force (checked first; nothing changes on a problem)."""
        from revdesk.db.playbook.stored import apply_playbook

        now = self.now()
        applied = self._write(lambda conn: apply_playbook(conn, source, origin, now, progress=progress),
                              "playbook apply in progress")
        self.__dict__.pop("playbook", None)  # the next read sees the new one
        return applied

    # -- reports and seeds ------------------------------------------------------------------------------------
    def monthly_report(self, month: date, viewer: str | None = None) -> ReportDoc:
        from revdesk.db.reporting.monthly import monthly_report

        return monthly_report(self.store, month, self.tz, self.now(), viewer)

    def work_since_seed(self) -> tuple[str, dict, int] | None:
        """When and how the database was seeded and how many changes were made since (None: never seeded)."""
        from revdesk.db.common.changes import work_since_seed

        return work_since_seed(self._conn)
