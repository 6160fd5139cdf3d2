"""The query a view asks the service: the view's own terms (needs-you is `is:needs-human`),
what the human hides (statuses, tags) and the filter bar's text. No Textual here: `htrac tui`
starts reading the first view's rows before Textual is imported."""

from __future__ import annotations

NEEDS_QUERY = "is:needs-human"


def view_query(view: str, prefs, statuses: list[str], text: str) -> str:
    parts = []
    if view == "needs":
        parts.append(NEEDS_QUERY)
    hidden = set(prefs.hidden_statuses) & set(statuses)
    if hidden:
        shown = [s for s in statuses if s not in hidden]
        parts.append("status:" + ",".join(shown) if shown else "-is:damaged is:damaged")
    tags = [t for t in prefs.hidden_tags if t and "," not in t and '"' not in t]
    if tags:
        parts.append("-tag:" + ",".join(f'"{t}"' for t in tags))
    if text.strip():
        parts.append(text)
    return " ".join(parts)
