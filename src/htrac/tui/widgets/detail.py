"""The detail pane: every field (locks shown on the fields they bind), the discussion with whose
each message is, refused and damaged ops, the item's neighbours as links, and its history."""

from __future__ import annotations

from rich.text import Text
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Static

from ..safe import lines, one_line, plain

LOCKABLE_SHOWN = ("title", "status", "priority", "tags", "parent", "isbefore", "description",
                  "pr_ref", "duplicate_of", "not_duplicate_of", "discussion")


class ItemLink(Static, can_focus=True):
    """An item ID that opens the item (click or Enter)."""

    DEFAULT_CSS = """
    ItemLink { height: 1; color: $text-primary; }
    ItemLink:hover, ItemLink:focus { text-style: underline; background: $accent 20%; }
    """

    class Open(Message):
        def __init__(self, item_id: str) -> None:
            super().__init__()
            self.item_id = item_id

    def __init__(self, item_id: str, label: Text) -> None:
        super().__init__(label)
        self.item_id = item_id

    def on_click(self) -> None:
        self.post_message(self.Open(self.item_id))

    def key_enter(self) -> None:
        self.post_message(self.Open(self.item_id))


class DetailPane(VerticalScroll):
    DEFAULT_CSS = """
    DetailPane { padding: 0 1; background: $panel; }
    DetailPane > .section { color: $text-muted; text-style: bold; margin-top: 1; }
    DetailPane > #detail-links { height: auto; }
    DetailPane > #detail-banner { color: $error; text-style: bold; }
    DetailPane > #detail-discussion { height: auto; }
    DetailPane .message-head { margin-top: 1; }
    DetailPane .message, DetailPane #detail-description {
        border-left: outer $foreground 40%; padding-left: 1; margin-left: 2; height: auto; }
    DetailPane .message.-human { border-left: outer $success; }
    DetailPane .message.-agent { border-left: outer $warning; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.item = None
        self.show_history = False

    def compose(self):
        yield Static(Text("No item selected", style="dim"), id="detail-title")
        yield Static(id="detail-banner")
        yield Static(id="detail-fields")
        yield Static(id="detail-description")
        yield Static(Text("Links"), classes="section", id="detail-links-title")
        yield Vertical(id="detail-links")
        yield Static(id="detail-discussion-title", classes="section")
        yield Vertical(id="detail-discussion")
        yield Static(id="detail-problems")
        yield Static(id="detail-history")

    def show(self, item, neighbours=None, unread: bool = False, label=str, history=None,
             held=None) -> None:
        """Show `item` (None: nothing selected); `held`, its claim as of now
        (`service.holdings.Holding`)."""
        self.item = item
        title = self.query_one("#detail-title", Static)
        if item is None:
            title.update(Text("No item selected", style="dim"))
            for name in ("banner", "fields", "description", "discussion-title", "problems",
                         "history"):
                self.query_one(f"#detail-{name}", Static).update("")
            self.query_one("#detail-links", Vertical).remove_children()
            self.query_one("#detail-discussion", Vertical).remove_children()
            return
        heading = Text(end="")
        heading.append(item.id, style="bold bright_blue")
        heading.append("\n")
        if "title" in item.locked_fields:
            heading.append("🔒")
        heading.append(one_line(item.title) or "(no title)", style="bold")
        title.update(heading)
        self.query_one("#detail-banner", Static).update(_banner(item, held))
        self.query_one("#detail-fields", Static).update(_fields(item, held))
        self.query_one("#detail-description", Static).update(
            Text("\n".join(lines(item.description)), end="") if item.description
            else Text("—", style="dim"))
        self._links(item, neighbours, label)
        count = len(item.discussion)
        self.query_one("#detail-discussion-title", Static).update(
            Text(f"Discussion ({count})" + (" — unread" if unread else "")))
        box = self.query_one("#detail-discussion", Vertical)
        box.remove_children()
        box.mount_all(_discussion(item))
        self.query_one("#detail-problems", Static).update(_problems(item))
        self.query_one("#detail-history", Static).update(
            _history(history) if history is not None else "")

    def set_held(self, held) -> None:
        """The shown item's claim judged again (its lease runs down): fields and banner only,
        so the pane keeps its scroll position."""
        if self.item is not None:
            self.query_one("#detail-banner", Static).update(_banner(self.item, held))
            self.query_one("#detail-fields", Static).update(_fields(self.item, held))

    def _links(self, item, neighbours, label) -> None:
        box = self.query_one("#detail-links", Vertical)
        box.remove_children()
        if neighbours is None:
            return
        links = []
        for name, rows, arrow in (("parent", neighbours.parent, "↑"),
                                  ("children", neighbours.children, "↓"),
                                  ("before (blocks)", neighbours.blocks, "→"),
                                  ("after (blocked by)", neighbours.blocked_by, "←")):
            for row in rows:
                text = Text(end="")
                text.append(f"{arrow} {name}: ", style="dim")
                text.append(label(row.id), style="bright_blue")
                text.append(f" [{one_line(row.status)}] ", style="dim")
                text.append(one_line(row.title))
                links.append(ItemLink(row.id, text))
        if item.parent and not neighbours.parent:
            links.append(Static(Text(f"↑ parent: {item.parent} (not found)", style="dim")))
        if not links:
            links.append(Static(Text("none", style="dim")))
        box.mount_all(links)


def _banner(item, held) -> Text:
    marks = []
    if held is not None and not held.live:
        marks.append("◇ STALE CLAIM (`htrac stale --reclaim` frees it)")
    if item.frozen:
        marks.append("❄ FROZEN")
    if item.damaged:
        marks.append("! DAMAGED")
    if item.cross_tier_conflict:
        marks.append("CROSS-TIER CONFLICT")
    return Text("  ".join(marks), end="")


def _fields(item, held=None) -> Text:
    locked = item.locked_fields
    out = Text(end="")

    def line(name: str, value: Text | str, lock_name: str | None = None) -> None:
        if out.plain:
            out.append("\n")
        mark = "🔒" if (lock_name or name) in locked else "  "
        # a name as wide as the column (`fields.statementLogin`) keeps two spaces before its value
        out.append(f"{mark}{name:<12}" if len(name) < 12 else f"{mark}{name}  ", style="dim")
        out.append(value if isinstance(value, Text) else plain(value))

    line("status", item.status or "—")
    line("priority", f"P{item.priority}")
    line("kind", item.kind or "—", "kind")
    line("tier", item.tier, "tier")
    line("tags", ", ".join(map(one_line, item.tags)) or "—")
    line("parent", item.parent or "—")
    line("isbefore", ", ".join(item.isbefore) or "—")
    if item.duplicate_of:
        line("duplicate_of", ", ".join(item.duplicate_of))
    line("pr_ref", item.pr_ref or "—")
    for key, value in item.fields.items():
        line(f"fields.{one_line(key)}", one_line(value), f"fields.{key}")
    line("created", item.created_at, "created")
    line("updated", item.updated_at, "updated")
    for name, value in _claim_lines(item, held):
        line(name, value, "claim")
    if locked:
        line("locked", ", ".join(sorted(locked)), "locked")
    out.append("\n")
    out.append(("🔒" if "description" in locked else "  ") + "description", style="dim")
    return out


def _claim_lines(item, held) -> list[tuple[str, Text]]:
    """Who holds the item and the lease left (as `service.holdings` describes it: the CLI's
    words), what the holder reserves, and the claims lost on it (the latest five)."""
    from ...service.holdings import describe

    out = []
    if held is not None:
        claim = held.claim
        out.append(("claim", Text(one_line(describe(held)),
                                  style="bold green" if held.live else "bold red", end="")))
        since = Text(one_line(claim.taken_at), end="")
        if claim.taken_from:
            since.append(f" (taken over from {one_line(claim.taken_from)})", style="dim")
        out.append(("claimed at", since))
        if claim.paths:
            out.append(("reserves", Text(", ".join(map(one_line, claim.paths)), end="")))
    for lost in item.lost_claims[-5:]:
        out.append(("lost claim", Text(
            f"{one_line(lost.actor)}/{one_line(lost.session)} {one_line(lost.action)} at "
            f"{one_line(lost.at)} — {one_line(lost.reason)}", style="yellow", end="")))
    return out


def _discussion(item) -> list[Static]:
    """A header line the app writes (whose message, when) and the message in its own framed
    box: however it wraps, every line of it stays inside the frame."""
    widgets: list[Static] = []
    for entry in item.discussion:
        human = entry.by == "human"
        head = Text(end="")
        head.append("■ " if human else "□ ", style="bold green" if human else "bold yellow")
        head.append(one_line(entry.actor), style="bold green" if human else "bold yellow")
        head.append(f" ({'human' if human else 'agent'}) {one_line(entry.at)}", style="dim")
        if entry.is_summary:
            head.append(" summary", style="italic")
        if entry.is_tombstoned:
            head.append(" deleted", style="red")
        body = Text("\n".join(lines(entry.message)), end="",
                    style="strike dim" if entry.is_tombstoned else "")
        widgets.append(Static(head, classes="message-head"))
        widgets.append(Static(body, classes="message " + ("-human" if human else "-agent")))
    if not item.discussion:
        widgets.append(Static(Text("no messages", style="dim")))
    return widgets


def _problems(item) -> Text:
    if not item.problems:
        return Text(end="")
    out = Text("Problems\n", style="bold red", end="")
    for n, problem in enumerate(item.problems):
        if n:
            out.append("\n")
        out.append("• ", style="red")
        out.append(one_line(problem.describe()))
    return out


def _history(steps) -> Text:
    from ...service.opsummary import describe

    out = Text("History (fold order)\n", style="bold", end="")
    for n, step in enumerate(steps):
        if n:
            out.append("\n")
        outcome = step.get("outcome")
        refused = outcome == "rejected" or outcome == "unknown"
        human = step.get("counts_as") == "human"
        out.append("✗ " if refused else ("✓ " if outcome == "applied" else "· "),
                   style="red" if refused else "green")
        out.append(f"{one_line(step.get('at'))} c{one_line(step.get('clock'))} ", style="dim")
        out.append(one_line(step.get("actor")), style="green" if human else "yellow")
        out.append(f" ({'human' if human else 'agent'}{', signed' if step.get('signed') else ''}) ",
                   style="dim")
        out.append(one_line(describe(step.get("type"), step.get("body"))))
        if refused:
            out.append(f" — refused: {one_line(step.get('reason'))}", style="red")
        for change in step.get("changes") or ():
            out.append(f"\n      {one_line(change['field'])}: ", style="dim")
            out.append(one_line(_value(change["before"])), style="red")
            out.append(" → ", style="dim")
            out.append(one_line(_value(change["after"])), style="green")
    return out


def _value(value) -> str:
    text = "—" if value in (None, "", [], {}) else str(value)
    return text if len(text) <= 60 else text[:59] + "…"
