"""The forms actions open: each a modal screen that returns what the human chose (or None)."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Select, Static, TextArea
from textual.widgets.option_list import Option

from ..safe import one_line


class Form(ModalScreen):
    """A titled dialog with OK/Cancel; Esc cancels, ctrl+s submits."""

    DEFAULT_CSS = """
    Form { align: center middle; }
    Form > #form { width: 80%; max-width: 100; height: auto; max-height: 90%;
                   border: thick $accent; background: $panel; padding: 0 1; }
    Form #form-title { text-style: bold; margin-bottom: 1; }
    Form #form-note { color: $warning; }
    Form .field-label { color: $text-muted; margin-top: 1; }
    Form #form-buttons { height: auto; align-horizontal: right; margin-top: 1; }
    Form TextArea { height: 6; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+s", "submit", "Submit")]
    TITLE_TEXT = ""

    def __init__(self, title: str = "", note: str = "") -> None:
        super().__init__()
        self.title_text = title or self.TITLE_TEXT
        self.note = note

    def compose(self):
        with VerticalScroll(id="form"):
            yield Static(Text(self.title_text), id="form-title")
            yield Static(Text(self.note), id="form-note")
            yield from self.fields()
            with Horizontal(id="form-buttons"):
                yield Button("OK", variant="primary", id="ok")
                yield Button("Cancel", id="cancel")

    def fields(self):
        return []

    def set_note(self, text: str) -> None:
        self.note = text
        self.query_one("#form-note", Static).update(Text(text))

    def result(self):
        return True

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "ok":
            self.action_submit()
        else:
            self.action_cancel()

    def on_input_submitted(self, _event) -> None:
        self.action_submit()

    def action_submit(self) -> None:
        value = self.result()
        if value is not None:
            self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)


def _label(text: str) -> Label:
    return Label(Text(text), classes="field-label")


class Confirm(Form):
    def __init__(self, title: str, question: str) -> None:
        super().__init__(title)
        self.question = question

    def fields(self):
        yield Static(Text(self.question))


class MessageForm(Form):
    """`d`: a message for the discussion (ctrl+s sends; Enter is a new line)."""

    TITLE_TEXT = "Discuss"

    def fields(self):
        yield TextArea(id="message")

    def on_mount(self) -> None:
        self.query_one("#message", TextArea).focus()

    def result(self):
        text = self.query_one("#message", TextArea).text.strip()
        if not text:
            self.set_note("write a message first (Esc cancels)")
            return None
        return text


class ChoiceForm(Form):
    """Pick one of several labelled values."""

    def __init__(self, title: str, choices: list[tuple[str, str]], note: str = "") -> None:
        super().__init__(title, note)
        self.choices = choices

    def fields(self):
        yield OptionList(*[Option(Text(label), id=value) for label, value in self.choices],
                         id="choices")

    def on_mount(self) -> None:
        self.query_one("#choices", OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def result(self):
        options = self.query_one("#choices", OptionList)
        if options.highlighted is None:
            return None
        return options.get_option_at_index(options.highlighted).id


class TextForm(Form):
    """One line of text (lock names, a parent prefix, links)."""

    def __init__(self, title: str, prompt: str, value: str = "", note: str = "",
                 placeholder: str = "") -> None:
        super().__init__(title, note)
        self.prompt, self.value, self.placeholder = prompt, value, placeholder

    def fields(self):
        yield _label(self.prompt)
        yield Input(self.value, placeholder=self.placeholder, id="text")

    def on_mount(self) -> None:
        self.query_one("#text", Input).focus()

    def result(self):
        return self.query_one("#text", Input).value


class ItemForm(Form):
    """`n` (new) and `e` (edit): the item's fields; returns a dict of what was entered."""

    def __init__(self, title: str, *, kinds: list[str], statuses: list[str], item=None,
                 tiers: tuple[str, ...] = ("workspace", "canonical", "stealth"),
                 note: str = "") -> None:
        super().__init__(title, note)
        self.item, self.kinds, self.statuses, self.tiers = item, kinds, statuses, tiers

    def fields(self):
        item = self.item
        if item is None:
            yield _label("kind")
            yield Select([(k, k) for k in self.kinds], value=self.kinds[0], allow_blank=False,
                         id="kind")
        yield _label("title")
        yield Input(item.title if item else "", id="title")
        yield _label("status")
        statuses = self.statuses if item is None or item.status in self.statuses \
            else [item.status, *self.statuses]
        yield Select([(s, s) for s in statuses], value=item.status if item else statuses[0],
                     allow_blank=False, id="status")
        yield _label("priority (0 most urgent … 4)")
        yield Select([(f"P{p}", p) for p in range(5)],
                     value=item.priority if item and item.priority in range(5) else 2,
                     allow_blank=False, id="priority")
        if item is None:
            yield _label("tier")
            yield Select([(t, t) for t in self.tiers], value=self.tiers[0], allow_blank=False,
                         id="tier")
        yield _label("tags (comma-separated)")
        yield Input(", ".join(item.tags) if item else "", id="tags")
        yield _label("description")
        yield TextArea(item.description if item else "", id="description")
        yield _label("fields (key=value, one per line; an empty value removes the key)")
        yield TextArea("\n".join(f"{k}={v}" for k, v in (item.fields.items() if item else [])),
                       id="fields")

    def on_mount(self) -> None:
        self.query_one("#title", Input).focus()

    def item_changed(self, changes) -> None:
        """The change feed reported a change: if it is this item, say so — saving is refused
        as stale rather than written over what changed."""
        if self.item is not None and (changes.reset or self.item.id in
                                      {i.id for i in changes.items}):
            self.set_note("this item changed since you opened the form: saving will be "
                          "refused; Esc, then edit again to start from what is there now")

    def result(self):
        values = {
            "title": self.query_one("#title", Input).value.strip(),
            "status": self.query_one("#status", Select).value,
            "priority": self.query_one("#priority", Select).value,
            "tags": [t.strip() for t in self.query_one("#tags", Input).value.split(",")
                     if t.strip()],
            "description": self.query_one("#description", TextArea).text,
        }
        fields = {}
        for line in self.query_one("#fields", TextArea).text.splitlines():
            if line.strip():
                key, _, value = line.partition("=")
                fields[key.strip()] = value.strip() or None
        values["fields"] = fields
        if self.item is None:
            values["kind"] = self.query_one("#kind", Select).value
            values["tier"] = self.query_one("#tier", Select).value
        if not values["title"]:
            self.set_note("a title, please (Esc cancels)")
            return None
        return values


class PickItem(Form):
    """`p`: type a prefix, pick the item from what matches (or clear)."""

    TITLE_TEXT = "Parent"

    def __init__(self, title: str, search, note: str = "", allow_clear: bool = True) -> None:
        super().__init__(title, note)
        self.search = search  # async (text) -> list of Listing rows
        self.allow_clear = allow_clear

    def fields(self):
        yield _label("ID prefix or words (Enter picks the highlighted item)")
        yield Input(id="prefix")
        yield OptionList(id="matches")
        if self.allow_clear:
            yield Button("Clear", id="clear")

    def on_mount(self) -> None:
        self.query_one("#prefix", Input).focus()

    async def on_input_changed(self, event: Input.Changed) -> None:
        try:
            rows = await self.search(event.value.strip()) if event.value.strip() else []
        except Exception:  # half-typed text that isn't a query yet
            rows = []
        if not self.is_attached or event.value != self.query_one("#prefix", Input).value:
            return  # closed, or more was typed meanwhile
        options = self.query_one("#matches", OptionList)
        options.clear_options()
        for row in rows[:50]:
            options.add_option(Option(Text(f"{row.id}  {one_line(row.title)}"), id=row.id))
        if rows:
            options.highlighted = 0

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "clear":
            self.dismiss("")
        else:
            super().on_button_pressed(event)

    def result(self):
        options = self.query_one("#matches", OptionList)
        if options.highlighted is None:
            self.set_note("no item matches; type more of the ID or title")
            return None
        return options.get_option_at_index(options.highlighted).id


class Notice(ModalScreen):
    """A scrollable page of text (help, history); any key closes it."""

    DEFAULT_CSS = """
    Notice { align: center middle; }
    Notice > VerticalScroll { width: 90%; height: 90%; border: thick $accent;
                              background: $panel; padding: 0 1; }
    """
    BINDINGS = [Binding("escape,q,question_mark", "close", "Close")]

    def __init__(self, body: Text) -> None:
        super().__init__()
        self.body = body

    def compose(self):
        with VerticalScroll():
            yield Static(self.body)

    def action_close(self) -> None:
        self.dismiss(None)


__all__ = ["Form", "Confirm", "MessageForm", "ChoiceForm", "TextForm", "ItemForm", "PickItem",
           "Notice", "Vertical"]
