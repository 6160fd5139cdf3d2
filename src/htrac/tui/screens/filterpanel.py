"""`f`: the filter panel — statuses and tags to show or hide (digits or clicks toggle)."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Static

from ..safe import one_line


class FilterPanel(ModalScreen):
    DEFAULT_CSS = """
    FilterPanel { align: center middle; }
    FilterPanel > VerticalScroll { width: 60; height: 80%; border: thick $accent;
                                   background: $panel; padding: 0 1; }
    FilterPanel .heading { text-style: bold; margin-top: 1; }
    """
    BINDINGS = [Binding("escape,f,enter", "close", "Close")] + [
        Binding(str(n), f"toggle({n - 1})", show=False) for n in range(1, 10)]

    def __init__(self, statuses: list[str], tags: list[str], hidden_statuses: set[str],
                 hidden_tags: set[str]) -> None:
        super().__init__()
        self.entries = [("status", s) for s in statuses] + [("tag", t) for t in tags]
        self.hidden = {"status": set(hidden_statuses), "tag": set(hidden_tags)}

    def compose(self):
        with VerticalScroll():
            yield Static(Text("Show or hide (digits toggle the first nine; Esc closes)"))
            kind = None
            for n, (what, name) in enumerate(self.entries):
                if what != kind:
                    kind = what
                    yield Static(Text("Statuses" if what == "status" else "Tags"),
                                 classes="heading")
                number = f"{n + 1} " if n < 9 else "  "
                yield Checkbox(Text(number + one_line(name)),
                               name not in self.hidden[what], id=f"entry-{n}")

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        n = int(event.checkbox.id.split("-")[1])
        what, name = self.entries[n]
        (self.hidden[what].discard if event.value else self.hidden[what].add)(name)

    def action_toggle(self, n: int) -> None:
        if n < len(self.entries):
            box = self.query_one(f"#entry-{n}", Checkbox)
            box.value = not box.value

    def action_close(self) -> None:
        self.dismiss((self.hidden["status"], self.hidden["tag"]))
