"""Every action the TUI offers, once: its key (the reference's where it has one), its name, and
what it does — the key bindings, the `?` help and the command palette are all made from this."""

from __future__ import annotations

from typing import NamedTuple


class Action(NamedTuple):
    key: str          # Textual key name(s), comma-separated
    action: str       # the main screen's `action_<name>`
    title: str        # shown in the palette and the help
    help: str
    group: str
    show: bool = False  # in the footer


ACTIONS: tuple[Action, ...] = (
    # views
    Action("1", "view('list')", "List view", "Items as a table, by priority", "Views"),
    Action("2", "view('tree')", "Tree view", "Items under their parents", "Views"),
    Action("3", "view('board')", "Board view", "A column per status; move cards with "
           "shift+left/right", "Views"),
    Action("4", "view('needs')", "Needs you", "Items waiting on a human (is:needs-human)",
           "Views", True),
    Action("5", "view('activity')", "Activity", "The latest ops across the tracker, live",
           "Views"),
    Action("t", "toggle_tree", "Table/tree", "Switch between the table and the tree", "Views"),
    Action("slash", "focus_filter", "Filter", "Type a query (status:… tag:… is:… words)",
           "Views", True),
    Action("f", "filter_panel", "Filter panel", "Show or hide statuses and tags (digits toggle)",
           "Views"),
    Action("i", "toggle_ids", "Full IDs", "Show full IDs or the shortest unique prefixes",
           "Views"),
    Action("less_than_sign", "reorder(-1)", "Move up", "Move the item up in your display order",
           "Views"),
    Action("greater_than_sign", "reorder(1)", "Move down",
           "Move the item down in your display order", "Views"),
    # the item
    Action("d", "discuss", "Discuss", "Add a message to the discussion", "Item", True),
    Action("D", "clear_discussion", "Clear discussion", "Empty the discussion (asks first)",
           "Item"),
    Action("e", "edit", "Edit", "Status, priority, title, tags, description, fields", "Item",
           True),
    Action("n", "new_item", "New item", "Kind, title, status, priority, tier, description",
           "Item", True),
    Action("m", "move_tier", "Move tier", "Promote, demote, stealth or unstealth", "Item"),
    Action("p", "parent", "Parent", "Set or clear the parent (prefix search)", "Item"),
    Action("b", "links", "Before links", "Add or remove isbefore links", "Item"),
    Action("l", "lock", "Lock/unlock", "Lock or unlock fields", "Item", True),
    Action("z", "freeze", "Freeze/unfreeze", "Freeze the item (every field locked) or thaw it",
           "Item"),
    Action("R", "repair_drift", "Repair drift", "Put back ops the frozen copy holds (asks "
           "first)", "Item"),
    Action("C", "release_claim", "Release claim", "Free the item from whoever holds it (asks "
           "first); it goes back to its status before the claim", "Item"),
    Action("u", "toggle_read", "Mark read/unread", "Mark the discussion read or unread", "Item"),
    Action("H", "history", "History", "The item's ops in fold order, applied or refused", "Item"),
    Action("left_square_bracket", "back", "Back", "The item shown before", "Item"),
    Action("right_square_bracket", "forward", "Forward", "The item shown after", "Item"),
    Action("ctrl+c", "copy", "Copy", "Copy the item's ID and text (OSC 52)", "Item"),
    # the tracker
    Action("ctrl+e", "edit_mode", "Edit mode", "Open or close an edit-mode window (30 min)",
           "Tracker"),
    Action("S", "screenshot", "Screenshot", "Save an SVG of the screen and annotate it",
           "Tracker"),
    Action("question_mark", "help", "Help", "Keys and views", "Tracker", True),
    Action("q", "quit", "Quit", "Leave the TUI", "Tracker", True),
)


def key_label(key: str) -> str:
    names = {"slash": "/", "less_than_sign": "<", "greater_than_sign": ">",
             "question_mark": "?", "left_square_bracket": "[", "right_square_bracket": "]"}
    return names.get(key, key)
