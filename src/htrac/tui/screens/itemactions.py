"""What the keys do to the item under the cursor: each asks (a form), makes one service call
through the backend, and shows the outcome as a notification — refusals included, in the
service's own words, so authority is exactly the CLI's."""

from __future__ import annotations

from rich.text import Text
from textual.css.query import NoMatches

from ...core.ids import REFERENCE
from ..actions import ACTIONS, key_label
from ..backend import MOVES, message_of
from ..safe import one_line
from .forms import ChoiceForm, Confirm, ItemForm, MessageForm, Notice, PickItem, TextForm


class ItemActions:
    """Mixed into the tracker screen (which provides backend, current_id, reload…)."""

    async def run_action(self, fn, *args, done: str | None = None, **kwargs):
        """One service call; its refusal or failure becomes an error notification."""
        try:
            result = await self.backend.call(fn, *args, **kwargs)
        except Exception as error:
            self.notify(message_of(error), severity="error", title="not done", timeout=8)
            return None
        if done:
            self.notify(done, timeout=3)
        try:
            await self.reload()
            if self.current_id:
                await self.show_item(self.current_id, remember=False)
        except NoMatches:
            pass  # the app is closing: the write is done, nothing left to show
        return result if result is not None else True

    async def _govern(self, fn, *args, done: str):
        """A lock, freeze or clear: it commits to what is on screen and is never refused as
        stale; ops that arrived since are bound by it, and the human is told how many."""
        newer = await self.run_action(fn, *args, done=done)
        if newer and newer is not True:
            self.notify(f"it also binds {newer} op(s) that arrived after you looked; they are "
                        "in the history (H)", severity="warning", timeout=8)

    def _item(self):
        item = getattr(self, "current_item", None)
        if item is None or item.id != self.current_id:
            self.notify("select an item first", severity="warning")
            return None
        return item

    async def _ask(self, screen):
        return await self.app.push_screen_wait(screen)

    # -- discussion ---------------------------------------------------------------------------

    def action_discuss(self) -> None:
        self._discuss()

    def _discuss(self):
        item = self._item()
        if item is None:
            return

        async def ask():
            message = await self._ask(MessageForm(f"Discuss {item.id}"))
            if message:
                await self.run_action(self.backend.discuss, item.id, message, done="sent")
        self.run_worker(ask(), group="form")

    def action_clear_discussion(self) -> None:
        item = self._item()
        if item is None:
            return

        async def ask():
            if await self._ask(Confirm("Clear discussion",
                                       f"Remove all {len(item.discussion)} messages of "
                                       f"{item.id} from view? (the ops stay in the log)")):
                await self._govern(self.backend.clear_discussion, item.id, self.current_seen,
                                   done="discussion cleared")
        self.run_worker(ask(), group="form")

    def action_release_claim(self) -> None:
        item = self._item()
        if item is None:
            return
        if item.claim is None:
            self.notify(f"nobody holds {item.id}", severity="warning")
            return
        holder = f"{one_line(item.claim.actor)}/{one_line(item.claim.session)}"

        async def ask():
            if await self._ask(Confirm("Release claim", f"Free {item.id} from {holder}? It goes "
                                       "back to the status it had before the claim.")):
                await self.run_action(self.backend.release_claim, item.id,
                                      done=f"released (was held by {holder})")
        self.run_worker(ask(), group="form")

    async def set_read(self, item_id: str, read: bool, *, quiet: bool = False) -> None:
        await self.run_action(self.backend.mark_read, item_id, read,
                              done=None if quiet else ("marked read" if read else
                                                        "marked unread"))

    async def action_toggle_read(self) -> None:
        item = self._item()
        if item is not None:
            from ...core.predicates import unread_listing
            from .main import _Row

            await self.set_read(item.id, unread_listing(_Row(item), self.read_marks))

    # -- fields -------------------------------------------------------------------------------

    def action_edit(self) -> None:
        item = self._item()
        if item is None:
            return
        config = self.backend.tracker.config
        kind = config.kinds.get(item.kind)
        statuses = list(kind.allowed_statuses) if kind and kind.allowed_statuses \
            else list(config.statuses)
        version = getattr(item, "version", None)

        async def ask():
            form = EditForm(f"Edit {item.id}", kinds=[item.kind], statuses=statuses, item=item)
            values = await self._ask(form)
            if values:
                request = _update_request(item, values)
                if request.is_empty():
                    self.notify("nothing changed")
                    return
                await self.run_action(self.backend.update, item.id, request, version,
                                      done="saved")
                # refused as stale: the notification says so and the detail shows what is
                # there now (run_action reloaded it); nothing was overwritten
        self.run_worker(ask(), group="form")

    def action_new_item(self) -> None:
        config = self.backend.tracker.config

        async def ask():
            kinds = sorted(config.kinds, key=lambda k: k != "work_item")
            form = ItemForm("New item", kinds=kinds, statuses=list(config.statuses))
            values = await self._ask(form)
            if not values:
                return
            data = {"kind": values["kind"], "title": values["title"],
                    "status": values["status"], "priority": values["priority"],
                    "tags": tuple(values["tags"]), "description": values["description"],
                    "fields": {k: v for k, v in values["fields"].items() if v is not None},
                    "tier": values["tier"]}
            added = await self.run_action(self.backend.add, **data)
            if added and added is not True:
                item, warnings = added
                for warning in warnings:
                    self.notify(warning, severity="warning")
                self.notify(f"added {item.id}")
                await self.goto(item.id)
        self.run_worker(ask(), group="form")

    def action_parent(self) -> None:
        item = self._item()
        if item is None:
            return

        async def search(text: str):
            return await self.backend.call(self.backend.search_rows, _prefix_query(text))

        async def ask():
            chosen = await self._ask(PickItem(f"Parent of {item.id}", search,
                                              note=f"now: {item.parent or 'none'}"))
            if chosen is None:
                return
            await self.run_action(self.backend.set_parent, item.id, chosen or None,
                                  done="parent cleared" if not chosen else "parent set")
        self.run_worker(ask(), group="form")

    def action_links(self) -> None:
        item = self._item()
        if item is None:
            return

        async def ask():
            text = await self._ask(TextForm(
                f"Before links of {item.id}", "IDs this item must finish before (comma-separated;"
                " -ID removes)", note=f"now: {', '.join(item.isbefore) or 'none'}"))
            if not text:
                return
            add, remove = _split_signed(text)
            from ...service.itemops import UpdateRequest

            request = UpdateRequest(add={"isbefore": add} if add else {},
                                    remove={"isbefore": remove} if remove else {})
            await self.run_action(self.backend.update, item.id, request, None,
                                  done="links saved")
        self.run_worker(ask(), group="form")

    # -- governance ---------------------------------------------------------------------------

    def action_lock(self) -> None:
        item = self._item()
        if item is None:
            return

        async def ask():
            text = await self._ask(TextForm(
                f"Lock fields of {item.id}", "fields to lock (comma-separated; -name unlocks)",
                note=f"locked now: {', '.join(sorted(item.locked_fields)) or 'nothing'}",
                placeholder="status, priority, fields.owner"))
            if not text:
                return
            lock, unlock = _split_signed(text)
            seen = self.current_seen
            if lock:
                await self._govern(self.backend.lock, item.id, lock, False, seen,
                                   done=f"locked {', '.join(lock)}")
            if unlock:
                await self._govern(self.backend.lock, item.id, unlock, True, seen,
                                   done=f"unlocked {', '.join(unlock)}")
        self.run_worker(ask(), group="form")

    async def action_freeze(self) -> None:
        item = self._item()
        if item is not None:
            await self._govern(self.backend.freeze, item.id, item.frozen, self.current_seen,
                               done="unfrozen" if item.frozen else "frozen")

    def action_repair_drift(self) -> None:
        item = self._item()
        if item is None:
            return

        async def ask():
            if await self._ask(Confirm("Repair drift", f"Put back into {item.id}'s log the ops "
                                       "its frozen copy holds and the log lost?")):
                result = await self.run_action(self.backend.repair, item.id)
                if result:
                    self.notify(f"repaired: {getattr(result, 'restored', result)}")
        self.run_worker(ask(), group="form")

    def action_move_tier(self) -> None:
        item = self._item()
        if item is None:
            return
        choices = [(label, op) for label, op in MOVES.get(item.tier, ())]

        async def ask():
            op = await self._ask(ChoiceForm(f"Move {item.id} (now {item.tier})", choices))
            if op:
                await self.run_action(self.backend.move, item.id, op, done=f"{op}d")
        self.run_worker(ask(), group="form")

    async def action_edit_mode(self) -> None:
        status = await self.backend.call(self.backend.edit_mode)
        status = await self.run_action(self.backend.switch_edit_mode, not status.active)
        if status and status is not True:
            self.app.show_edit_mode(status)

    # -- views on the item --------------------------------------------------------------------

    async def action_history(self) -> None:
        self.show_history = not self.show_history
        if self.current_id:
            await self.show_item(self.current_id, remember=False)

    async def action_reorder(self, delta: int) -> None:
        items = self.query_one("#items")
        index = items.cursor
        other = index + delta
        if not (0 <= index < len(self.rows) and 0 <= other < len(self.rows)):
            return
        rows = list(self.rows)
        rows[index], rows[other] = rows[other], rows[index]
        self.prefs.display_order = [r.id for r in rows][:20000]
        self.save_prefs()
        await self.reload()
        items.move_to(rows[other].id)

    def action_copy(self) -> None:
        item = self._item()
        if item is not None:
            self.app.copy_to_clipboard(f"{item.id}  {item.title}")
            self.notify(f"copied {item.id}")

    def action_filter_panel(self) -> None:
        from .filterpanel import FilterPanel

        config = self.backend.tracker.config

        async def ask():
            tags = sorted({*config.well_known_tags, *self.prefs.hidden_tags,
                           *(await self.backend.call(self.backend.tags))})
            result = await self._ask(FilterPanel(list(config.statuses), tags,
                                                 set(self.prefs.hidden_statuses),
                                                 set(self.prefs.hidden_tags)))
            if result is not None:
                self.prefs.hidden_statuses = sorted(result[0])
                self.prefs.hidden_tags = sorted(result[1])
                self.save_prefs()
                await self.reload()
        self.run_worker(ask(), group="form")

    def action_help(self) -> None:
        text = Text("htrac — keys\n\n", style="bold", end="")
        group = None
        for action in ACTIONS:
            if action.group != group:
                group = action.group
                text.append(f"\n{group}\n", style="bold underline")
            text.append(f"  {key_label(action.key):<8}", style="bold cyan")
            text.append(f"{action.title:<18}", style="bold")
            text.append(f"{action.help}\n")
        text.append("\nIn lists: ↑/↓ or j/k move, Enter opens, Esc goes back. Board: ←/→ "
                    "change column, shift+←/→ move the card to the next status.\n"
                    "Ctrl+P opens the command palette (every action above).\n", style="dim")
        self.app.push_screen(Notice(text))

    def action_screenshot(self) -> None:
        self.app.take_screenshot(self.current_id)

    async def action_quit(self) -> None:
        self.app.exit()


class EditForm(ItemForm):
    pass


def _update_request(item, values: dict):
    from ...service.itemops import UpdateRequest

    request = UpdateRequest()
    if values["title"] != item.title:
        request.title = values["title"]
    if values["status"] != item.status:
        request.status = values["status"]
    if values["priority"] != item.priority:
        request.priority = values["priority"]
    if values["description"] != item.description:
        request.description = values["description"]
    added = [t for t in values["tags"] if t not in item.tags]
    removed = [t for t in item.tags if t not in values["tags"]]
    if added:
        request.add["tags"] = added
    if removed:
        request.remove["tags"] = removed
    fields = {}
    for key, value in values["fields"].items():
        if value is None:
            if key in item.fields:
                fields[key] = None
        elif str(item.fields.get(key)) != value or key not in item.fields:
            fields[key] = value
    for key in item.fields:
        if key not in values["fields"]:
            fields[key] = None
    request.fields = fields
    return request


def _split_signed(text: str) -> tuple[list[str], list[str]]:
    add, remove = [], []
    for part in text.split(","):
        part = part.strip()
        if part.startswith("-") and len(part) > 1:
            remove.append(part[1:].strip())
        elif part:
            add.append(part)
    return add, remove


def _prefix_query(text: str) -> str:
    text = text.strip()
    if REFERENCE.fullmatch(text) and "-" in text:
        return f"id:{text}"
    return " ".join('"' + w.replace("\\", "\\\\").replace('"', '\\"') + '"'
                    for w in text.split())

