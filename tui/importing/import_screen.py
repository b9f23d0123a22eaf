"""Import a CRM export from the workbench: the file, its mapping (told by its columns, one of fixtures/mappings/
or a TOML of your own) and what to do with people the file names who are not users yet. ctrl+d runs a dry
run (rows, what would be created and updated, the rejected rows with line, column and reason; nothing written),
ctrl+s imports for real after a confirmation. Rejected rows are listed in `<stem>.rejected.csv` in the current
directory, as `revdesk import` does.

The import runs in a thread worker: the progress line is fed by the importer's callback through
call_from_thread, and a bad mapping, a missing file or missing columns are shown in red under the inputs."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Label, Select, Static

from revdesk.core.common.errors import InvalidInput, RevdeskError
from revdesk.db.workbench import MAPPINGS_DIR, ImportResult, Workbench
from revdesk.tui.commands import IMPORT_COMMANDS, bindings
from revdesk.tui.common.fit_table import Column, fill
from revdesk.tui.common.workers import ShowsWorkerFailures

DETECT = "(told by its columns)"
ROLES = ("sdr", "ae", "cs", "manager", "founder")
REFUSE = "refuse"  # the owner-role Select's value for "refuse their rows"
PROBLEMS_SHOWN = 50
PROBLEM_COLUMNS = [Column("Line", right=True), Column("Column", "name", 16), Column("Reason", "wrap", 40, floor=20)]
Progress = Callable[[str, int, int], None]  # (phase, done, total)


@dataclass(frozen=True)
class Job:
    """What one run imports: the file, the mapping file (None: told by the file's columns), the role new people get
    (None: their rows are refused), whether it is a dry run, and the owner map (the file's owners to handles)."""

    file: Path
    mapping: Path | None
    owner_role: str | None
    dry_run: bool
    owner_map: Path | None = None

    @property
    def settings(self) -> tuple[Path, Path | None, str | None, Path | None]:
        """Two runs with the same settings import the same way (a dry run stands for the real import)."""
        return self.file, self.mapping, self.owner_role, self.owner_map


@dataclass(frozen=True)
class Outcome:
    job: Job
    result: ImportResult
    mapping_name: str
    rejects: Path | None  # where the rejected rows were listed
    rejects_error: str | None = None  # why they could not be
    seconds: float = 0.0


def mapping_choices(folder: Path = MAPPINGS_DIR) -> list[tuple[str, str]]:
    """The Select's options: told by the file's columns first, then each mapping file of `folder` by name."""
    files = sorted(folder.glob("*.toml")) if folder.is_dir() else []
    return [(DETECT, DETECT)] + [(f.name, str(f)) for f in files]


def rejects_path(file: Path) -> Path:
    """Where an import lists its rejected rows: `<stem>.rejected.csv` beside the file, as the CLI does."""
    from revdesk.db.workbench import rejects_path as beside

    return beside(file)


def run_job(bench: Workbench, job: Job, progress: Progress | None = None) -> Outcome:
    """Read the mapping and the file and import (or dry-run) it through the workbench; write the rejects CSV.
    Raises RevdeskError (InvalidInput, PlaybookError) for a missing file, a bad mapping or missing columns."""
    from revdesk.db.workbench import choose_mapping, read_owner_map, write_rejects

    started = time.monotonic()
    if not job.file.is_file():
        raise InvalidInput("file", f"{job.file} {'is a folder' if job.file.is_dir() else 'does not exist'}")
    mapping, chosen = choose_mapping(job.file, job.mapping)
    owners = read_owner_map(job.owner_map) if job.owner_map else None
    result = bench.import_file(job.file, mapping, dry_run=job.dry_run, owner_role=job.owner_role, owner_map=owners,
                               progress=progress)
    rejects, error = None, None
    if result.rejected and not job.dry_run:  # a dry run writes nothing, not even the list
        rejects = rejects_path(job.file)
        try:
            write_rejects(result.rejected, rejects)
        except (OSError, InvalidInput) as exc:
            reason = exc.reason if isinstance(exc, InvalidInput) else exc.strerror
            rejects, error = None, f"could not list the rejected rows in {rejects}: {reason}"
    return Outcome(job, result, chosen, rejects, error, time.monotonic() - started)


def summary_text(outcome: Outcome) -> Text:
    """What the run did (or would do), its notes and where the rejected rows are listed."""
    result, job = outcome.result, outcome.job
    text = Text()
    if job.dry_run:
        text.append("Dry run", style="bold yellow")
        text.append(f" of {job.file.name} as {result.kind} ({outcome.mapping_name}): ")
        figures = [("rows", result.rows), ("would create", result.created), ("would update", result.updated)]
    else:
        text.append("Imported", style="bold green")
        text.append(f" {job.file.name} as {result.kind} ({outcome.mapping_name}): ")
        figures = [("rows", result.rows), ("created", result.created), ("updated", result.updated)]
    if result.unchanged:
        figures.append(("unchanged", result.unchanged))
    text.append(" · ".join(f"{n:,} {label}" if label == "rows" else f"{label} {n:,}" for label, n in figures))
    text.append(" · ")
    text.append(f"{result.rejected_rows:,} rejected", style="bold red" if result.rejected_rows else "")
    text.append(f"  ({outcome.seconds:.1f} s)", style="dim")
    if job.dry_run:
        text.append("\nNothing was written: no records, no rejects list. ", style="dim")
        text.append("ctrl+s imports these settings for real.", style="dim")
    elif result.change_id is not None:
        text.append(f"\nOne change record (#{result.change_id}) for the whole file.", style="dim")
    for note in result.notes:
        text.append(f"\n• {note}")
    if result.candidates:
        text.append(f"\n• {len(result.candidates):,} accounts look like others and were not merged", style="yellow")
        for pair in result.candidates[:3]:
            text.append(f"\n    line {pair['line']}: {pair['name']!r} ~ {pair['looks_like']!r}", style="dim")
    shown = min(PROBLEMS_SHOWN, len(result.rejected))
    if outcome.rejects is not None:
        text.append(f"\nRejected rows are listed in {outcome.rejects}")
        if len(result.rejected) > shown:
            text.append(f" (the first {shown} of {len(result.rejected):,} problems below)", style="dim")
    elif job.dry_run and len(result.rejected) > shown:
        text.append(f"\nThe first {shown} of {len(result.rejected):,} problems below; the import lists them all in"
                    f" {rejects_path(job.file)}", style="dim")
    if outcome.rejects_error:
        text.append(f"\n{outcome.rejects_error}", style="red")
    return text


def intro_text() -> Text:
    """What the screen shows before the first run."""
    text = Text("Without a mapping the file's columns tell its layout: HubSpot, Pipedrive, Salesforce, Close, Odoo,"
                " Maven CRM, or revdesk's own field names as ", style="dim")
    text.append("revdesk export", style="bold")
    text.append(" writes them.\n"
                "A dry run checks every row and counts what would change, writing nothing. An import goes in whole"
                " or not at all; its rejected rows are listed in FILE.rejected.csv beside it.", style="dim")
    return text


def confirm_question(job: Job, checked: Outcome | None) -> str:
    """The question before a real import, with the dry run's figures when one was run with the same settings."""
    question = f"Import {job.file.name} for real?"
    if checked is None or checked.job.settings != job.settings:
        return question + " No dry run with these settings yet (ctrl+d checks first, writing nothing)."
    r = checked.result
    return (question + f" The dry run found {r.rows:,} rows: {r.created:,} to create, {r.updated:,} to update,"
            f" {r.rejected_rows:,} rejected (left out).")


class ImportScreen(ShowsWorkerFailures, Screen):
    AUTO_FOCUS = "#import-file"
    COMMANDS_LIST = IMPORT_COMMANDS
    BINDINGS = bindings(IMPORT_COMMANDS)
    DEFAULT_CSS = """
    ImportScreen #import-form {
        height: auto;
        padding: 0 1;
    }
    ImportScreen .import-row {
        height: auto;
    }
    ImportScreen .import-label {
        width: 12;
        padding: 1 1 0 0;
        text-style: bold;
    }
    ImportScreen .import-or {
        width: auto;
        padding: 1 1 0 1;
        color: $text-muted;
    }
    ImportScreen .import-row Input {
        width: 1fr;
    }
    ImportScreen #import-mapping {
        width: 1fr;
    }
    ImportScreen #import-owner-role {
        width: 1fr;
        max-width: 50;
    }
    ImportScreen #import-error {
        height: auto;
        padding: 0 1;
        color: $text-error;
    }
    ImportScreen #import-progress {
        height: auto;
        padding: 0 1;
        color: $text-muted;
    }
    ImportScreen #import-summary {
        height: auto;
        padding: 0 1;
        margin-bottom: 1;
    }
    ImportScreen #import-problems {
        height: 1fr;
        border: round $primary 50%;
        border-title-color: $accent;
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self.running: Job | None = None
        self.checked: Outcome | None = None  # the last dry run, for the confirmation

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="import-form"):
            with Horizontal(classes="import-row"):
                yield Label("File", classes="import-label")
                yield Input(placeholder="path to a CSV or JSON export (enter: dry run)", id="import-file")
            with Horizontal(classes="import-row"):
                yield Label("Mapping", classes="import-label")
                yield Select(mapping_choices(), value=DETECT, allow_blank=False, id="import-mapping")
                yield Label("or", classes="import-or")
                yield Input(placeholder="a mapping TOML of your own", id="import-mapping-path")
            with Horizontal(classes="import-row"):
                yield Label("New people", classes="import-label")
                options = [("refuse rows naming non-users", REFUSE)] + [
                    (f"create non-users as {r.upper()}", r) for r in ROLES]
                yield Select(options, value=REFUSE, allow_blank=False, id="import-owner-role")
                yield Label("and", classes="import-or")
                yield Input(placeholder="an owner map CSV: the file's owner,handle", id="import-owner-map")
        yield Static("", id="import-error")
        yield Static("ctrl+d dry run (writes nothing) · ctrl+s import · esc back", id="import-progress")
        yield Static(intro_text(), id="import-summary")
        yield DataTable(id="import-problems", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Import a CRM export"
        table = self.query_one("#import-problems", DataTable)
        table.border_title = "Rejected rows"
        table.display = False

    # -- inputs ------------------------------------------------------------------------------------------------
    def job(self, dry_run: bool) -> Job | None:
        """The settings on screen, or None (and the reason in red) when there is no file to import."""
        file = self.query_one("#import-file", Input).value.strip()
        if not file:
            self.show_error("file: give the path of a CSV or JSON export")
            self.query_one("#import-file", Input).focus()
            return None
        own = self.query_one("#import-mapping-path", Input).value.strip()
        chosen = self.query_one("#import-mapping", Select).value
        mapping = Path(own).expanduser() if own else None if chosen in (DETECT, Select.BLANK) else Path(
            str(chosen))
        role = self.query_one("#import-owner-role", Select).value
        owner_role = str(role) if role in ROLES else None
        owners = self.query_one("#import-owner-map", Input).value.strip()
        return Job(Path(file).expanduser(), mapping, owner_role, dry_run,
                   Path(owners).expanduser() if owners else None)

    def show_error(self, reason: str) -> None:
        self.query_one("#import-error", Static).update(Text(reason, style="bold red") if reason else "")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in a field runs the dry run."""
        event.stop()
        self.action_dry_run()

    # -- actions -----------------------------------------------------------------------------------------------
    def action_dry_run(self) -> None:
        job = self.job(dry_run=True)
        if job is not None:
            self._start(job)

    def action_run_import(self) -> None:
        if self.running is not None:
            self.notify("An import is running; wait for it to finish", severity="warning")
            return
        job = self.job(dry_run=False)
        if job is None:
            return
        from revdesk.tui.dialogs.confirm import ConfirmModal

        self.app.push_screen(ConfirmModal(confirm_question(job, self.checked)),
                             lambda yes: self._start(job) if yes else None)

    def action_back(self) -> None:
        if self.running is not None and not self.running.dry_run:
            self.notify("The import goes on in the background; you will be told when it is done", timeout=5)
        self.app.pop_screen()

    # -- running -----------------------------------------------------------------------------------------------
    def _start(self, job: Job) -> None:
        if self.running is not None:
            self.notify("An import is running; wait for it to finish", severity="warning")
            return
        self.running = job
        self.show_error("")
        self.query_one("#import-summary", Static).update("")  # the last run's figures would mislead meanwhile
        self.query_one("#import-problems", DataTable).display = False
        verb = "Checking" if job.dry_run else "Importing"
        self._progress_line(Text(f"{verb} {job.file.name}: reading the file and checking every row…", "yellow"))
        self.importing(job)

    @work(thread=True, exclusive=True, group="import", exit_on_error=False)
    def importing(self, job: Job) -> None:
        app = self.app

        def progress(phase: str, done: int, total: int) -> None:
            app.call_from_thread(self._progressed, job, phase, done, total)

        try:
            outcome = run_job(app.workbench, job, progress)
        except Exception as exc:  # noqa: BLE001 - shown under the inputs; the screen stays usable
            reason = str(exc) if isinstance(exc, RevdeskError) else f"{type(exc).__name__}: {exc}"
            app.call_from_thread(self._failed, job, reason)
            return
        app.call_from_thread(self._finished, outcome)

    def _progress_line(self, text: Text | str) -> None:
        self.query_one("#import-progress", Static).update(text)

    def _progressed(self, job: Job, phase: str, done: int, total: int) -> None:
        """The importer's (phase, done, total), "Checking" the rows and then "Writing" the good ones."""
        if self.is_attached and self.running == job:
            line = Text(f"{phase} {job.file.name}: {done:,} of {total:,} rows…", "yellow")
            if job.dry_run:
                line.append("  (dry run: rolled back at the end)", "dim")
            self._progress_line(line)

    def _failed(self, job: Job, reason: str) -> None:
        self.running = None
        if not self.is_attached:
            self.app.notify(f"The import of {job.file.name} failed: {reason}", severity="error", timeout=10)
            return
        self.show_error(reason)
        self._progress_line(f"{'Dry run' if job.dry_run else 'Import'} of {job.file.name} stopped: nothing was"
                            " written")

    def _finished(self, outcome: Outcome) -> None:
        self.running = None
        job, result = outcome.job, outcome.result
        if not self.is_attached:
            if not job.dry_run:
                self.app.notify(f"Imported {job.file.name}: {result.created:,} created, {result.updated:,} updated,"
                                f" {result.rejected_rows:,} rejected", timeout=10)
            return
        self.checked = outcome if job.dry_run else None
        self._progress_line("ctrl+d dry run (writes nothing) · ctrl+s import · esc back")
        self.query_one("#import-summary", Static).update(summary_text(outcome))
        self._fill(result)
        if not job.dry_run:
            self.notify(f"Imported {job.file.name}: {result.created:,} created, {result.updated:,} updated",
                        timeout=5)

    def _fill(self, result: ImportResult) -> None:
        table = self.query_one("#import-problems", DataTable)
        problems = result.rejected[:PROBLEMS_SHOWN]
        # The reason wraps (it names the value and what is wrong with it); a long column name shortens.
        fill(table, PROBLEM_COLUMNS, [[Text(str(problem.line), justify="right"), problem.column or "",
                                       (problem.reason or "").replace("\n", " ")] for problem in problems],
             available=(self.size.width or self.app.size.width) - 2)
        table.display = bool(problems)
        many = len(result.rejected)
        shown = f"the first {len(problems)} of {many:,} problems" if many > len(problems) else (
            "1 problem" if many == 1 else f"{many:,} problems")
        table.border_title = f"Rejected rows: {shown}"
