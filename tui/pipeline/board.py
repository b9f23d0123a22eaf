"""The pipeline: SDR lanes (lead status) beside AE lanes (deal stages), one card per lead or deal, stale deals
marked per the stage's "stale after". The lanes appear at once from the playbook ("loading…") and a thread
worker fills them, so keys work from the first frame. ] and [ move a deal a stage on or back, m picks a
stage; each move asks for the fields the playbook requires (tui/pipeline/deal_move.py).

The board is one widget that draws the lanes in view itself (it scrolls sideways to the focused lane): a
widget per lane and card would cost hundreds of ms to mount, and this screen must answer keys within 100 ms."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.geometry import Size
from textual.message import Message
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Footer, Header, Static

from revdesk.core.pipeline import lanes as pl
from revdesk.core.pipeline.lanes import Card, Lane, LaneSpec, Scope
from revdesk.tui.commands import PIPELINE_COMMANDS, bindings
from revdesk.tui.common.workers import ShowsWorkerFailures
from revdesk.tui.pipeline.cards import deal_lines, fit_line, header_lines, lead_lines
from revdesk.tui.pipeline.deal_move import DealMoves

MIN_LANE, MAX_LANE = 28, 36  # a lane's width with its border; lanes widen to fill the screen
HEAD_ROWS = 5  # top border, three header lines, a rule
CARD_ROWS = 4  # three lines and a divider
SCOPE_LABELS = {"mine": "Mine", "team": "My team", "all": "Everyone"}

class Board(Widget, can_focus=True):
    """The lanes in view, side by side, each with its header and a window of cards around its cursor."""

    COMPONENT_CLASSES = {"board--sdr", "board--ae", "board--focus", "board--cursor", "board--cursor-blurred"}
    DEFAULT_CSS = """
    Board { height: 1fr; }
    Board > .board--sdr { color: $secondary; }
    Board > .board--ae { color: $primary; }
    Board > .board--focus { color: $accent; text-style: bold; }
    Board > .board--cursor { background: $block-cursor-background; color: $block-cursor-foreground; }
    Board > .board--cursor-blurred { background: $block-cursor-blurred-background; }
    """

    class Open(Message):
        """A click on the selected card: open it."""

    def __init__(self, specs: list[LaneSpec]) -> None:
        super().__init__(id="board")
        self.specs = specs
        self.lanes: list[Lane | None] = [None] * len(specs)
        self.lines: list[list[list[Text]]] = [[] for _ in specs]  # per lane, per card, its three lines
        self.lines_width = 0  # the text width the lines were cut to
        self.show_owner = True  # not on my own cards
        self.lane_width = MIN_LANE
        self.index = 0  # the focused lane
        self.cursor = [0] * len(specs)
        self.top = [0] * len(specs)  # each lane's first card in view
        self.left = 0  # the first lane in view
        self._strips: list[Strip] | None = None
        self._strips_size = Size(0, 0)

    # -- state ---------------------------------------------------------------------------------------------
    def fill(self, lanes: list[Lane], show_owner: bool) -> None:
        self.show_owner, self.lines_width = show_owner, 0  # the lines are cut again at the next draw
        by_key = {(lane.side, lane.key): lane for lane in lanes}
        for n, spec in enumerate(self.specs):
            lane = by_key.get((spec.side, spec.key))
            if lane is None:
                continue
            before = self.card_at(n)
            self.lanes[n] = lane
            ids = [c.id for c in lane.cards]
            keep = ids.index(before.id) if before is not None and before.id in ids else self.cursor[n]
            self.cursor[n] = max(min(keep, len(ids) - 1), 0)
        self.refresh_board()

    def card_at(self, n: int) -> Card | None:
        lane = self.lanes[n]
        return lane.cards[self.cursor[n]] if lane is not None and lane.cards else None

    @property
    def selected(self) -> Card | None:
        return self.card_at(self.index)

    @property
    def spec(self) -> LaneSpec:
        return self.specs[self.index]

    def move_lane(self, delta: int) -> None:
        self.index = max(0, min(self.index + delta, len(self.specs) - 1))
        self.refresh_board()

    def move_card(self, delta: int) -> None:
        lane = self.lanes[self.index]
        if lane is not None and lane.cards:
            self.cursor[self.index] = max(0, min(self.cursor[self.index] + delta, len(lane.cards) - 1))
            self.refresh_board()

    def select(self, side: str, card_id: int) -> bool:
        """Focus the lane holding a card and put the cursor on it."""
        for n, lane in enumerate(self.lanes):
            ids = [c.id for c in lane.cards] if lane is not None and lane.side == side else []
            if card_id in ids:
                self.index, self.cursor[n] = n, ids.index(card_id)
                self.refresh_board()
                return True
        return False

    # -- drawing -------------------------------------------------------------------------------------------
    def _cut_lines(self, width: int) -> None:
        for n, (spec, lane) in enumerate(zip(self.specs, self.lanes, strict=True)):
            stale_after = spec.stage.stale_after_days if spec.stage else None
            self.lines[n] = [lead_lines(c, width, self.show_owner) if c.kind == "lead" else
                             deal_lines(c, stale_after, width, self.show_owner) for c in (lane.cards if lane else ())]
        self.lines_width = width

    def _in_view(self) -> int:
        """How many lanes fit (and how wide each is); scrolls sideways to keep the focused lane in view."""
        count = max(1, min(self.size.width // MIN_LANE, len(self.specs)))
        self.lane_width = max(MIN_LANE, min(MAX_LANE, self.size.width // count))
        self.left = min(self.left, self.index)
        if self.index >= self.left + count:
            self.left = self.index - count + 1
        self.left = max(0, min(self.left, len(self.specs) - count))
        return count

    def refresh_board(self) -> None:
        self._strips = None
        self.refresh()

    on_focus = on_blur = refresh_board  # the cursor dims while a dialog is open

    def _rows(self) -> list[Strip]:
        """Every line of the board, drawn once per change (as strips: no wrapping pass over the text)."""
        if self._strips is not None and self._strips_size == self.size:
            return self._strips
        height = max(self.size.height - 1, HEAD_ROWS + CARD_ROWS + 1)
        count = self._in_view()
        if self.lines_width != self.lane_width - 4:
            self._cut_lines(self.lane_width - 4)
        shown = range(self.left, min(self.left + count, len(self.specs)))
        columns = [self._lane_rows(n, height) for n in shown]
        rows = [self._strip(shown)] + [Text.assemble(*(column[y] for column in columns)) for y in range(height)]
        console, base = self.app.console, self.rich_style
        width = self.size.width
        self._strips = [Strip(row.render(console, end=""), row.cell_len).apply_style(base).extend_cell_length(width)
                        .crop(0, width) for row in rows]
        self._strips_size = self.size
        return self._strips

    def render_line(self, y: int) -> Strip:
        rows = self._rows()
        return rows[y] if y < len(rows) else Strip.blank(self.size.width, self.rich_style)

    def _strip(self, shown: range) -> Text:
        """One line naming the lanes with their counts, those in view bold and the focused one reversed. When
        they don't all fit, whole lanes around the ones in view are named and ‹ › say there are more: a count is
        never cut."""
        items: list[Text] = []
        for n, spec in enumerate(self.specs):
            item = Text("│ ", "dim") if n and spec.side != self.specs[n - 1].side else Text()
            lane = self.lanes[n]
            style = "reverse bold" if n == self.index else ("bold" if n in shown else "dim")
            item.append(f"{spec.label} {lane.count:,}" if lane else spec.label, style)
            items.append(item.append("  "))
        first, last = shown.start, max(shown.stop, shown.start + 1)

        def width(a: int, b: int) -> int:
            return 4 + sum(items[i].cell_len for i in range(a, b))  # room for ‹ and ›

        while True:  # widen the window one lane at a time, right first, while it fits
            if last < len(items) and width(first, last + 1) <= self.size.width:
                last += 1
            elif first > 0 and width(first - 1, last) <= self.size.width:
                first -= 1
            else:
                break
        strip = Text("‹ " if first > 0 else "  ", "bold")
        for item in items[first:last]:
            strip.append_text(item)
        if last < len(items):
            strip.append("›", "bold")
        return fit_line(strip, self.size.width)

    def _lane_rows(self, n: int, height: int) -> list[Text]:
        spec, lane, inner = self.specs[n], self.lanes[n], self.lane_width - 2
        focused = n == self.index
        border = self.get_component_rich_style("board--focus" if focused else f"board--{spec.side}")
        cursor = self.get_component_rich_style("board--cursor" if self.has_focus else "board--cursor-blurred")

        def boxed(text: Text, style: Style | None = None) -> Text:
            body = fit_line(text, inner - 2)
            if style is not None:
                body.stylize_before(style)  # under the card's own styles: a stale tag keeps its colour
                return Text.assemble(("│", border), Text(" ", style=style), body, Text(" ", style=style), ("│", border))
            return Text.assemble(("│ ", border), body, (" │", border))

        rows = [Text.assemble(Text(f"╭─ {spec.label} ", border), ("─" * max(inner - len(spec.label) - 3, 0), border),
                              ("╮", border))]
        rows += [boxed(line) for line in header_lines(lane)]
        rows.append(Text("├" + "─" * inner + "┤", border))
        area = height - HEAD_ROWS - 1
        cards = self.lines[n]
        if lane is None or not cards:
            empty = "loading…" if lane is None else ("No leads here" if spec.side == "sdr" else "No deals here")
            rows.append(boxed(Text(empty, "dim italic")))
        else:
            fit = max(area // CARD_ROWS, 1)
            top = min(self.top[n], self.cursor[n])
            self.top[n] = top = max(top, self.cursor[n] - fit + 1)
            for i in range(top, min(top + fit, len(cards))):
                style = cursor if focused and i == self.cursor[n] else None
                rows += [boxed(line, style) for line in cards[i]]
                rows.append(boxed(Text("┈" * (inner - 2), "dim")))
        rows += [boxed(Text())] * (height - 1 - len(rows))
        rows = rows[: height - 1]
        where = f" {self.cursor[n] + 1} of {lane.count:,} " if lane is not None and cards else ""
        if lane is not None and lane.count > len(cards) > 0:
            where += f"· top {len(cards)} "
        rows.append(Text.assemble(("╰", border), (where.rjust(inner, "─"), border), ("╯", border)))
        return rows

    # -- mouse ---------------------------------------------------------------------------------------------
    def on_click(self, event: events.Click) -> None:
        if event.y < 1:
            return
        n = self.left + event.x // self.lane_width
        if n >= len(self.specs):
            return
        row = event.y - 1 - HEAD_ROWS
        card = self.top[n] + row // CARD_ROWS if row >= 0 else None
        lane = self.lanes[n]
        again = n == self.index and card == self.cursor[n]
        self.index = n
        if lane is not None and card is not None and card < len(lane.cards):
            self.cursor[n] = card
            if again:
                self.post_message(self.Open())
        self.refresh_board()

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        self.move_card(1)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self.move_card(-1)


class PipelineScreen(ShowsWorkerFailures, DealMoves, Screen):
    COMMANDS_LIST = PIPELINE_COMMANDS
    BINDINGS = bindings(PIPELINE_COMMANDS)
    AUTO_FOCUS = "#board"
    DEFAULT_CSS = "PipelineScreen #pipeline-title { height: auto; padding: 0 1; }"

    def __init__(self, scope: Scope | None = None) -> None:
        super().__init__()
        self.scope: Scope | None = scope
        self.loaded = False  # the first fill has landed (benchmarks and tests wait on it)
        self.generation = 0
        self.follow: int | None = None  # a deal to select after the next fill (the one just moved)
        self.reload_on_resume = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="pipeline-title")
        yield Board(pl.lane_specs(self.app.workbench.playbook))
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Pipeline"
        self.scope = self.scope or pl.default_scope(self.app.workbench.user.role)
        self.reload()

    @property
    def board(self) -> Board:
        return self.query_one(Board)

    def _title(self, loading: bool) -> None:
        line = Text("Scope ", "dim")
        for scope in pl.SCOPES:
            line.append(f" {SCOPE_LABELS[scope]} ", "reverse bold" if scope == self.scope else "dim")
        line.append("  s changes it · SDR lanes: lead status · AE lanes: deal stages", "dim")
        if loading:
            line.append("  · loading…", "italic")
        self.query_one("#pipeline-title", Static).update(line)

    # -- loading ----------------------------------------------------------------------------------------------
    def reload(self) -> None:
        self.generation += 1
        self._title(loading=True)
        self._load(self.scope, self.generation)

    @work(thread=True, exclusive=True, group="pipeline", exit_on_error=False)
    def _load(self, scope: Scope, generation: int) -> None:
        bench = self.app.workbench
        try:
            lanes = bench.pipeline(scope)
        except Exception as exc:  # noqa: BLE001 - the screen stays usable; the reason is shown
            self.app.call_from_thread(self.notify, f"Could not load the pipeline: {exc}", severity="error")
            return
        self.app.call_from_thread(self.show_lanes, lanes, generation)

    def show_lanes(self, lanes: list[Lane], generation: int) -> None:
        if generation != self.generation:
            return  # a newer load (another scope) is on its way
        self.board.fill(lanes, show_owner=self.scope != "mine")
        self.loaded = True
        self._title(loading=False)
        if self.follow is not None:
            self.board.select("ae", self.follow)
            self.follow = None

    def on_screen_resume(self) -> None:
        if self.reload_on_resume:  # back from call mode or an account: things may have moved
            self.reload_on_resume = False
            self.reload()

    # -- keys ---------------------------------------------------------------------------------------------------
    def action_lane(self, delta: int) -> None:
        self.board.move_lane(delta)

    def action_card(self, delta: int) -> None:
        self.board.move_card(delta)

    def action_scope(self) -> None:
        self.scope = pl.next_scope(self.scope or "mine")
        self.reload()

    def action_refresh(self) -> None:
        self.reload()

    def action_enroll(self, whole_lane: bool = False) -> None:
        """Enroll the selected lead, or every lead shown in the lane (a filtered list), in a sequence."""
        from revdesk.tui.navigation import Enroll

        lane = self.board.lanes[self.board.index]
        cards = [c for c in (lane.cards if lane is not None and whole_lane else [self.board.selected]) if c]
        leads = [c for c in cards if c.kind == "lead"]
        if not leads:
            self.notify("Sequences are for leads: pick a card in an SDR lane.")
            return
        title = f"Enroll {leads[0].title}" if len(leads) == 1 else f"Enroll the {len(leads)} leads in {lane.label}"
        self.app.post_message(Enroll([c.id for c in leads], title, callback=lambda n: n and self.reload()))

    def action_back(self) -> None:
        self.app.pop_screen()

    def on_board_open(self, event: Board.Open) -> None:
        self.action_open()

    def selected_card(self) -> Card | None:
        return self.board.selected

    def after_move(self, card: Card) -> None:
        """Show the moved deal in its new lane."""
        self.follow = card.id
        self.reload()

    def action_open(self) -> None:
        card = self.board.selected
        if card is None:
            self.notify("No card selected." if self.loaded else "Still loading…")
            return
        self.reload_on_resume = True
        if card.kind == "lead":
            from revdesk.tui.navigation import CallContact

            self.app.post_message(CallContact(card.id))
        elif card.account_id is not None:
            from revdesk.tui.navigation import OpenAccount

            self.app.post_message(OpenAccount(card.account_id))
