"""Whatever words a playbook holds (its labels are the naughty strings) and whatever keys it picks (even `to`,
`general` and `other`, the names of the screens' own rows), the handoff form and the deal-move dialog open, show
the words as written, name problems beside their fields and send: widget ids never come from the playbook's text.
The handoff review, the reject dialog and the help screen show the playbook's words (and the answers) as written."""

from __future__ import annotations

from rich.console import Console
from textual.widgets import Input, Label, Select, Static, TextArea

from revdesk.db.playbook.stored import apply_playbook
from revdesk.db.workbench import Workbench
from revdesk.fixtures import DEFAULT_PLAYBOOK
from revdesk.tui.app import build_app
from revdesk.tui.calls.call_mode import CallScreen
from revdesk.tui.common.help_screen import HelpScreen
from revdesk.tui.handoffs.form import HandoffFormScreen, field_id
from revdesk.tui.handoffs.reject import RejectHandoffModal
from revdesk.tui.handoffs.review import HandoffReviewScreen
from revdesk.tui.pipeline.board import PipelineScreen
from revdesk.tui.pipeline.deal_move import DealMoveModal
from tests.db.pipeline.test_pipeline_query import add_deals
from tests.factories import NOW, fixed_clock
from tests.naughty import naughty_strings
from tests.toml_strings import toml_string
from tests.tui.helpers import settle

DEFAULT = DEFAULT_PLAYBOOK.read_text(encoding="utf-8")
HOSTILE = ["Acme [/] Ltd", "[bold]Pain[/bold]", "[link=https://evil.example]click[/link]", ":smile: [red]",
           "Budget \\ [/b] $(touch /tmp/pwned)", "\u202eRight to left\u202c", "Zalgo Ṱ̺̺̕o͞ ̷i̲̬͇̪͙n̝̗͕", "line\nbreak"]
# Every 12th naughty string (a fixed sample of about 45) on top of the hand-picked ones.
LABELS = HOSTILE + [s for s in naughty_strings()[::12] if s.strip()]
TEXT_KEYS = ["pain", "to", "general", "next_step"] + [f"extra_{i}" for i in range(len(LABELS) - 5)]


def _text(renderable) -> str:
    console = Console(width=400, record=True)
    console.print(renderable)
    return console.export_text()


def _playbook_with_hostile_words() -> str:
    """The default playbook with the SDR handoff's fields relabelled (and keyed `to`, `general`...), and the
    discovery stage labelled with markup and asking for an `other` and a `next_step` field to leave it."""
    start = DEFAULT.index("fields = [\n  { key = \"pain\"")
    end = DEFAULT.index("]\n", start) + 2
    keys = TEXT_KEYS[:3] + ["approver"] + TEXT_KEYS[3:]
    fields = [f'  {{ key = "{key}", label = {toml_string(label)}'
              + (', type = "contact"' if key == "approver" else "") + " },"
              for key, label in zip(keys, LABELS, strict=True)]
    source = DEFAULT[:start] + "fields = [\n" + "\n".join(fields) + "\n]\n" + DEFAULT[end:]
    source = source.replace('label = "Discovery"', f"label = {toml_string('Disco [/] very')}", 1)
    return source.replace('exit_criteria = ["primary_contact_id"]',
                          'exit_criteria = ["primary_contact_id", "other", "next_step"]', 1)


def _apply(store) -> None:
    apply_playbook(store.conn, _playbook_with_hostile_words(), "hostile.toml", NOW)


async def test_the_handoff_form_shows_hostile_labels_as_written_and_sends(store):
    _apply(store)
    Workbench.open(store, "maya", fixed_clock).log_call(1, "connected")  # reaches the SQL threshold
    app = build_app(store, "maya", clock=fixed_clock)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        app.push_screen(HandoffFormScreen("sdr_ae", contact_id=1))
        await settle(pilot)
        form = app.screen
        assert isinstance(form, HandoffFormScreen) and form.draft is not None
        labels = [str(label.render()) for label in form.query(".field-label").results(Label)]
        assert labels[:len(LABELS)] == LABELS, "every label as the playbook wrote it, markup and all"
        assert form.query_one("#field-to").id != form.query_one(f"#{field_id('to')}").id, "the recipient keeps its row"

        await pilot.press("ctrl+s")  # nothing filled in: every field's problem beside it
        await settle(pilot)
        assert app.screen is form
        for key in ("to", "general", "pain"):
            problem = form.query_one(f"#{field_id(key).replace('field-', 'problem-', 1)}", Static)
            assert problem.display and "missing" in _text(problem.content), key
        assert store.conn.execute("SELECT COUNT(*) FROM handoffs").fetchone()[0] == 0

        for key in TEXT_KEYS:
            form.query_one(f"#{field_id(key)}", TextArea).text = f"A real answer about {key} [/] here"
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, HandoffFormScreen), "sent"
    context = store.conn.execute("SELECT context FROM handoffs").fetchone()[0]
    assert '"to": "A real answer about to [/] here"' in context and '"general": ' in context


async def test_the_deal_move_dialog_asks_for_criteria_named_like_its_own_rows(store):
    _apply(store)
    add_deals(store)
    app = build_app(store, "tom", clock=fixed_clock)
    async with app.run_test(size=(130, 36)) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PipelineScreen) and screen.loaded
        board = screen.board
        board.move_lane([spec.key for spec in board.specs].index("discovery") - board.index)
        await pilot.pause()
        assert board.selected.id == 1
        await pilot.press("right_square_bracket")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, DealMoveModal)
        assert [key for key, _ in modal.missing] == ["other", "next_step"]
        assert "Other — is required to leave Disco [/] very" in [str(w.render()) for w in modal.query(".field-label")]

        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is modal, "refused: the dialog stays open"
        own = modal.query_one("#problem-other", Static)
        assert "Other needs a real value" not in str(own.render()), "the dialog's own line is not the field's"
        fields = [w for w in modal.query(".field").results(Input)]
        assert len(fields) == 2 and all(w.id and w.id.startswith("field-") for w in fields)
        fields[0].value, fields[1].value = "Another [/] thing agreed", "Demo on Thursday"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen, "moved"
    assert store.conn.execute("SELECT stage FROM deals WHERE id = 1").fetchone()[0] == "demo"


async def test_the_review_help_and_reject_dialog_show_hostile_words_as_written(store):
    source = _playbook_with_hostile_words().replace('label = "Context incomplete"', 'label = "Context [/] thin"', 1)
    apply_playbook(store.conn, source, "hostile.toml", NOW)
    maya = Workbench.open(store, "maya", fixed_clock)
    maya.log_call(1, "connected")
    context = {key: f"Answer [/] about {key} [bold]" for key in TEXT_KEYS} | {"approver": "2"}
    handoff_id = maya.send_handoff("sdr_ae", 2, context, contact_id=1).handoff_id
    app = build_app(store, "tom", clock=fixed_clock)
    async with app.run_test(size=(150, 45)) as pilot:
        await settle(pilot)
        app.push_screen(HandoffReviewScreen(handoff_id))
        await settle(pilot)
        review = app.screen
        assert isinstance(review, HandoffReviewScreen)
        shown = _text(review.query_one("#review-context", Static).content)
        assert "Acme [/] Ltd" in shown and "Answer [/] about pain [bold]" in shown
        await pilot.press("r")
        await settle(pilot)
        reject = app.screen
        assert isinstance(reject, RejectHandoffModal)
        reasons = reject.query_one("#field-reason", Select)
        assert any("Context [/] thin" in str(prompt) for prompt, _ in reasons._options)
        await pilot.press("enter")  # the reasons open, every label shown
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        reasons.value = "incomplete_context"
        reject.query_one("#field-note", TextArea).text = "Budget owner [/] unclear; confirm first"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, RejectHandoffModal), "rejected"
        assert any("(Context [/] thin)" in n.message for n in app._notifications)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
    assert store.conn.execute("SELECT status FROM handoffs").fetchone()[0] == "rejected"


async def test_help_in_call_mode_lists_outcome_labels_as_written(store):
    source = _playbook_with_hostile_words().replace('label = "Voicemail"', 'label = "Voice [/] mail"', 1)
    apply_playbook(store.conn, source, "hostile.toml", NOW)
    app = build_app(store, "maya", clock=fixed_clock)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        app.push_screen(CallScreen.for_contact(1))
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        assert "Log “Voice [/] mail” and go to the next item" in _text(help_screen.table)
