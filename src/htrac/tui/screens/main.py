"""The tracker screen: filter bar, the view (list, tree, board, needs you, activity), the detail,
and in wide terminals an activity pane and a reply box. It coordinates: widgets post messages up,
this screen asks the backend and tells the widgets what to show."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Button, ContentSwitcher, Footer, Input, Static

from ...core.predicates import unread_listing
from ..actions import ACTIONS
from ..backend import message_of
from ..chain import Links
from ..layouts import size_class
from ..safe import one_line
from ..viewquery import view_query
from ..widgets.activity import ActivityLog
from ..widgets.board import Board
from ..widgets.detail import DetailPane, ItemLink
from ..widgets.itemlist import ItemList
from .itemactions import ItemActions

VIEWS = {"list": "items", "tree": "items", "needs": "items", "board": "board",
         "activity": "activity-view"}


class TrackerScreen(ItemActions, Screen):
    DEFAULT_CSS = """
    TrackerScreen { layout: vertical; }
    #status-line { height: 1; background: $primary-background; padding: 0 1; }
    #editmode { height: 1; background: $error; color: $text; text-style: bold; display: none;
                padding: 0 1; }
    #editmode.-on { display: block; }
    #filter { height: 3; }
    #body { height: 1fr; }
    #left { width: 2fr; }
    #right { width: 1fr; }
    #activity-pane { height: 12; display: none; border-top: solid $foreground 20%; }
    #reply-box { height: 4; display: none; }
    #reply { height: 4; width: 1fr; }
    #reply-buttons { height: auto; width: 14; }
    #reply-buttons Button { width: 14; min-width: 10; height: 1; border: none; margin: 0 0 0 1; }
    #too-small { display: none; content-align: center middle; height: 1fr; }
    TrackerScreen.-board #right { display: none; }
    TrackerScreen.-wide #activity-pane { display: block; }
    TrackerScreen.-wide #reply-box { display: block; }
    TrackerScreen.-compact #right { display: none; width: 1fr; }
    TrackerScreen.-compact.-detail-open #right { display: block; }
    TrackerScreen.-compact.-detail-open #left { display: none; }
    TrackerScreen.-too-small #body, TrackerScreen.-too-small #filter,
    TrackerScreen.-too-small #status-line, TrackerScreen.-too-small Footer { display: none; }
    TrackerScreen.-too-small #too-small { display: block; }
    """
    BINDINGS = [Binding(a.key, a.action, a.title, show=a.show) for a in ACTIONS] + [
        Binding("escape", "escape", "Back", show=False),
        Binding("tab", "app.focus_next", show=False),
    ]

    def __init__(self, backend, prefs, tracker_root) -> None:
        super().__init__()
        self.backend = backend
        self.prefs = prefs
        self.tracker_root = tracker_root
        self.view = prefs.view if prefs.view in VIEWS else "list"
        self.query_text = prefs.last_query
        self.read_marks: dict = {}
        self.rows: list = []
        self.current_id: str | None = None
        self.history_ids: list[str] = []
        self.history_at = -1
        self.show_history = False
        self.live = "starting"
        self.query_error = ""
        self.counts = ""
        self.layout_name = "standard"
        self.current_item = None
        self.current_seen: list[str] = []
        self.holds: dict = {}  # the claims on the rows (service.holdings), by item ID
        self.current_held = None  # the claim on the item in the detail
        self.partial = False  # only the first rows are shown (the first frame)
        self._lease_timer = None

    # -- layout -------------------------------------------------------------------------------

    def compose(self):
        yield Static(id="status-line")
        yield Static(id="editmode")
        yield Input(self.query_text, placeholder="filter: status:todo_hard tag:ui is:ready "
                    "words — Enter applies, Esc leaves", id="filter")
        with Horizontal(id="body"):
            with ContentSwitcher(initial=VIEWS[self.view], id="left"):
                # the board and the activity view are made when first shown (a quicker start)
                yield ItemList(id="items")
                if self.view == "board":
                    yield self._new_view("board")
                if self.view == "activity":
                    yield self._new_view("activity")
            with Vertical(id="right"):
                yield DetailPane(id="detail")
                yield ActivityLog(id="activity-pane")
                # the reply box (wide terminals) is added once the first rows are drawn
        yield Static(Text("The terminal is too small for htrac: make it at least 40×16."),
                     id="too-small")
        yield Footer()

    def _new_view(self, name: str):
        if name == "board":
            statuses = self.backend.tracker.config.statuses
            return Board(["damaged", *statuses], id="board")
        return ActivityLog(id="activity-view")

    async def _show_view(self, name: str) -> None:
        """Switch the left pane to `name`'s widget, making it the first time."""
        switcher = self.query_one("#left", ContentSwitcher)
        wanted = VIEWS[name]
        if not switcher.query_children(f"#{wanted}"):
            await switcher.mount(self._new_view(name))
        switcher.current = wanted

    def _board(self) -> Board | None:
        return next(iter(self.query("#board").results(Board)), None)

    async def add_reply_box(self) -> None:
        from textual.widgets import Button, TextArea

        if self.query("#reply-box"):
            return
        box = Horizontal(TextArea(id="reply"),
                         Vertical(Button("Send", id="send", variant="primary"),
                                  Button("Mark read", id="mark-read"),
                                  Button("Mark unread", id="mark-unread"), id="reply-buttons"),
                         id="reply-box")
        await self.query_one("#right", Vertical).mount(box)

    def on_mount(self) -> None:
        self.set_class(self.view == "board", "-board")
        self.apply_size(self.app.size.width, self.app.size.height)
        self.query_one("#items", ItemList).full_ids = self.prefs.full_ids
        self.query_one("#items", ItemList).focus()
        self.set_interval(60, self._leases_run_down)
        self.app.first_load()

    def on_resize(self, event) -> None:
        self.apply_size(event.size.width, event.size.height)

    def apply_size(self, width: int, height: int) -> None:
        layout = size_class(width, height)
        for name in ("too-small", "compact", "standard", "wide"):
            self.set_class(layout == name, f"-{name}")
        self.query_one("#items", ItemList).width_class = layout
        self.layout_name = layout

    # -- what to show -------------------------------------------------------------------------

    def effective_query(self) -> str:
        return view_query(self.view, self.prefs, self.backend.tracker.config.statuses,
                          self.query_text)

    async def reload(self, *, first: bool = False, preloaded=None, looked: bool = False,
                     ids: bool = False) -> None:
        """Ask for the current view's rows again and show them, keeping the cursor
        (`looked`: the change feed has just brought the index up to date with the files, so
        it is read as it stands, with no scan of its own; `ids`: the set of items changed, so
        the short IDs are worked out again)."""
        query = self.effective_query()
        items = self.query_one("#items", ItemList)
        try:
            loaded = preloaded or await (
                self.backend.first(query) if first
                else self.backend.call(self.backend.load, query, look=not looked,
                                       ids=ids or items.labels is None))
            self.query_error = ""
        except Exception as error:  # a query that can't be read: say so, keep the old rows
            self.query_error = message_of(error)
            self.notify(self.query_error, severity="error", title="filter")
            self.update_status()
            return
        if loaded.ids is None and not items.knows(r.id for r in loaded.rows):
            loaded.ids = await self.backend.call(self.backend.all_ids)  # a new item
        rows, marks = loaded.rows, loaded.marks
        self.partial = len(rows) < loaded.total  # the first screenful; the rest follows
        self.rows = self.apply_order(rows)
        self.read_marks = marks
        self.holds = loaded.holds
        items.read_marks = marks
        items.holds = loaded.holds
        if loaded.ids is not None:
            items.set_ids(loaded.ids)
        items.set_rows(self.rows, tree=self.view == "tree")
        if loaded.before is not None:
            items.set_links(Links(loaded.before))
        board = self._board()
        if self.view == "board" and board is not None:
            board.set_rows(self.rows, marks, items.full_ids, loaded.holds, items.labels)
        self._until_lease_ends(loaded.expiry)
        self.counts = f"{loaded.total} items"
        self.update_status()  # the rows are on screen now; the activity and detail follow
        if first:
            await self._painted()
        if self.view == "activity" or self.layout_name == "wide":
            await self.reload_activity()
        if first and self.current_id is None and items.current is not None:
            await self.show_item(items.current.id)

    async def _painted(self) -> None:
        """Wait until the screen has been drawn with what is set now."""
        import asyncio

        drawn = asyncio.Event()
        self.call_after_refresh(drawn.set)
        await drawn.wait()

    def _until_lease_ends(self, seconds: int | None) -> None:
        """Load again when the first live lease runs out: no op marks that moment, yet the
        claim turns stale (the needs-you view gains it, the list says so)."""
        if self._lease_timer is not None:
            self._lease_timer.stop()
            self._lease_timer = None
        if seconds is not None:
            self._lease_timer = self.set_timer(seconds + 1, self._lease_ended)

    async def _lease_ended(self) -> None:
        self._lease_timer = None
        await self.reload()
        if self.current_id:
            await self.show_item(self.current_id, remember=False)

    async def _leases_run_down(self) -> None:
        """Each minute: the claims on screen judged again (the minutes left count down)."""
        if not self.holds and self.current_held is None:
            return
        self.holds = await self.backend.call(self.backend.rejudge, self.holds)
        self.query_one("#items", ItemList).set_holds(self.holds)
        board = self._board()
        if board is not None:
            board.set_holds(self.holds)
        if self.current_held is not None:
            held = await self.backend.call(self.backend.rejudge,
                                           {self.current_held.item.id: self.current_held})
            self.current_held = next(iter(held.values()), None)
            self.query_one("#detail", DetailPane).set_held(self.current_held)

    async def reload_activity(self) -> None:
        entries = await self.backend.call(self.backend.activity)
        label = self.query_one("#items", ItemList).label
        for widget in self.query(ActivityLog):
            widget.set_entries(entries, label)

    def apply_order(self, rows: list) -> list:
        """The human's display order (`<` `>`): listed items take the places listed items
        have in `rows`, in the listed order; every other row stays where it is."""
        order = {item_id: n for n, item_id in enumerate(self.prefs.display_order)}
        if not order:
            return list(rows)
        slots = [n for n, r in enumerate(rows) if r.id in order]
        listed = sorted((rows[n] for n in slots), key=lambda r: order[r.id])
        out = list(rows)
        for n, row in zip(slots, listed, strict=True):
            out[n] = row
        return out

    def update_status(self) -> None:
        actor = self.backend.tracker.actor
        who = Text(end="")
        who.append(f"{one_line(actor.name)} ", style="bold")
        who.append("(human)" if actor.is_human else "(agent — read-only for governance)",
                   style="green" if actor.is_human else "bold red")
        view = {"list": "list", "tree": "tree", "board": "board", "needs": "needs you",
                "activity": "activity"}[self.view]
        who.append(f"  view: {view}  {self.counts}")
        if self.query_error:
            who.append(f"  filter error: {self.query_error}", style="bold red")
        hidden = sorted(set(self.prefs.hidden_statuses))
        if hidden:
            who.append(f"  [hidden: {', '.join(hidden)}]", style="dim")
        who.append(f"  live: {self.live}", style="green" if self.live == "on" else "yellow")
        self.query_one("#status-line", Static).update(who)

    # -- the detail -----------------------------------------------------------------------------

    @on(ItemList.Highlighted)
    def _highlighted(self, event: ItemList.Highlighted) -> None:
        if event.row is not None and event.row.id != self.current_id:
            self.load_detail(event.row.id)
        elif event.row is None:
            self.current_id = None
            self.query_one("#detail", DetailPane).show(None)

    @work(exclusive=True, group="detail", exit_on_error=False)
    async def load_detail(self, item_id: str) -> None:
        try:
            await self.show_item(item_id)
        except NoMatches:
            pass  # the screen is being taken down

    async def show_item(self, item_id: str, *, remember: bool = True) -> None:
        try:
            item, neighbours, unread, seen, held = await self.backend.call(
                self.backend.detail, item_id)
            history = (await self.backend.call(self.backend.history, item_id)
                       if self.show_history else None)
        except Exception as error:
            self.notify(message_of(error), severity="error")
            return
        self.current_id = item.id
        self.current_item = item
        self.current_seen = seen
        self.current_held = held
        label = self.query_one("#items", ItemList).label
        self.query_one("#detail", DetailPane).show(item, neighbours, unread, label, history,
                                                   held)
        if remember and (not self.history_ids or self.history_ids[self.history_at] != item.id):
            del self.history_ids[self.history_at + 1:]
            self.history_ids.append(item.id)
            self.history_at = len(self.history_ids) - 1

    @on(ItemList.Selected)
    async def _selected(self, event: ItemList.Selected) -> None:
        await self.open_item(event.row.id)

    async def open_item(self, item_id: str) -> None:
        """Enter on a row: show it (stacked in a compact terminal) and mark it read."""
        await self.show_item(item_id)
        if self.layout_name == "compact":
            self.add_class("-detail-open")
        item = getattr(self, "current_item", None)
        if item is not None and item.id == item_id and unread_listing(
                _Row(item), self.read_marks):
            await self.set_read(item_id, True, quiet=True)

    @on(ItemLink.Open)
    @on(ActivityLog.Open)
    async def _goto(self, event) -> None:
        await self.goto(event.item_id)

    async def goto(self, item_id: str) -> None:
        items = self.query_one("#items", ItemList)
        if not items.move_to(item_id) and self.view == "board" and self._board():
            self._board().focus_item(item_id)
        await self.show_item(item_id)

    async def action_back(self) -> None:
        if self.history_at > 0:
            self.history_at -= 1
            await self._go_history()

    async def action_forward(self) -> None:
        if self.history_at + 1 < len(self.history_ids):
            self.history_at += 1
            await self._go_history()

    async def _go_history(self) -> None:
        item_id = self.history_ids[self.history_at]
        self.query_one("#items", ItemList).move_to(item_id)
        await self.show_item(item_id, remember=False)

    # -- filter and views ---------------------------------------------------------------------

    def action_focus_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    @on(Input.Submitted, "#filter")
    async def _filter(self, event: Input.Submitted) -> None:
        self.query_text = event.value
        await self.reload()
        if not self.query_error:
            self.prefs.last_query = event.value
            self.save_prefs()
            self.focus_view()

    async def action_view(self, name: str, preloaded=None) -> None:
        self.view = name
        self.set_class(name == "board", "-board")
        await self._show_view(name)
        if preloaded is None:
            self.prefs.view = name
            self.save_prefs()
        await self.reload(first=preloaded is not None, preloaded=preloaded)
        self.focus_view()

    async def action_toggle_tree(self) -> None:
        await self.action_view("list" if self.view == "tree" else "tree")

    def focus_view(self) -> None:
        if self.view == "board":
            columns = self._board().columns()
            if columns:
                columns[0].focus()
        elif self.view == "activity":
            self.query_one("#activity-view", ActivityLog).focus()
        else:
            self.query_one("#items", ItemList).focus()

    async def action_escape(self) -> None:
        if self.has_class("-detail-open"):
            self.remove_class("-detail-open")
        self.focus_view()

    async def action_toggle_ids(self) -> None:
        items = self.query_one("#items", ItemList)
        items.full_ids = not items.full_ids
        self.prefs.full_ids = items.full_ids
        self.save_prefs()
        items.refresh()
        await self.reload()

    def save_prefs(self) -> None:
        try:
            self.prefs.save(self.tracker_root)
        except Exception as error:  # preferences are a convenience: say it, carry on
            self.notify(f"preferences not saved: {message_of(error)}", severity="warning")

    # -- live ---------------------------------------------------------------------------------

    async def on_changes(self, changes) -> None:
        """The change feed reported something: show it, keeping the place and any open form."""
        if changes.tracker is not None:
            await self.backend.call(self.backend.replace_tracker, changes.tracker.layout.root)
        items = self.query_one("#items", ItemList)
        await self.reload(looked=not changes.reset,  # a reset may mean the feed lost the index
                          ids=changes.reset or bool(changes.removed) or not items.knows(
                              i.id for i in changes.items))
        changed = {i.id for i in changes.items} | {i for _t, i in changes.removed}
        if self.current_id and (changes.reset or self.current_id in changed):
            await self.show_item(self.current_id, remember=False)
        forms = [s for s in self.app.screen_stack if hasattr(s, "item_changed")]
        for form in forms:
            form.item_changed(changes)

    def set_live(self, state: str) -> None:
        self.live = state
        self.update_status()

    @on(Board.MoveCard)
    async def _move_card(self, event: Board.MoveCard) -> None:
        from ...service.itemops import UpdateRequest

        done = await self.run_action(self.backend.update, event.row.id,
                                     UpdateRequest(status=event.status), None,
                                     done=f"moved to {event.status}")
        if done and self._board() is not None:
            self._board().focus_item(event.row.id)

    # -- reply box (wide) ---------------------------------------------------------------------

    @on(Button.Pressed, "#send")
    async def _send(self) -> None:
        from textual.widgets import TextArea

        area = self.query_one("#reply", TextArea)
        if self.current_id and area.text.strip():
            if await self.run_action(self.backend.discuss, self.current_id, area.text.strip(),
                                     done="sent"):
                area.text = ""

    @on(Button.Pressed, "#mark-read")
    async def _mark_read(self) -> None:
        if self.current_id:
            await self.set_read(self.current_id, True)

    @on(Button.Pressed, "#mark-unread")
    async def _mark_unread(self) -> None:
        if self.current_id:
            await self.set_read(self.current_id, False)


class _Row:
    """An item seen through the columns `unread_listing` reads."""

    def __init__(self, item) -> None:
        self.id = item.id
        self.dlen = len(item.discussion)
        self.dlast_human = int(bool(item.discussion) and item.discussion[-1].by == "human")

