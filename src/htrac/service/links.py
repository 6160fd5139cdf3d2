"""Links: URIs attached to an item, and which of them a surface may make clickable.

An item's links are whatever absolute URIs its ops added (`https://…` pages and pull requests,
`file://` paths, an agent's session, `mailto:`…); storing one never runs anything. *Clicking* one
does: a `javascript:` or `data:` URI in a web page runs in the human's logged-in session, and
an unknown scheme in a terminal hands the string to whatever the desktop registered for it. So
every surface asks `href(uri)` before it renders a link as clickable, and shows anything else
as plain text. The allowlist lives here, once, for the TUI, the web UI and whatever comes next.
"""

from __future__ import annotations

from ..core.errors import InvalidValueError
from ..core.memory import LINK as _URI
from ..core.memory import MAX_LINK

# Schemes a surface may open on the human's behalf.
CLICKABLE_SCHEMES = ("https", "http", "file", "mailto")


def check_link(uri: object) -> str:
    """`uri` if it can be stored as a link, else InvalidValueError naming what is wrong."""
    if not isinstance(uri, str) or not uri:
        raise InvalidValueError("a link must be a non-empty URI such as https://example.org/x")
    if len(uri) > MAX_LINK:
        raise InvalidValueError(f"a link is at most {MAX_LINK} characters")
    if not _URI.fullmatch(uri):
        raise InvalidValueError(f"not an absolute URI: {uri[:60]!r} (write scheme:rest, e.g. "
                                "https://…, file:///path, pr:12; no spaces or quotes)")
    return uri


def scheme(uri: str) -> str:
    return uri.partition(":")[0].lower()


def href(uri: str) -> str | None:
    """The URI to put behind a clickable link, or None: show it as text only."""
    match = _URI.fullmatch(uri) if isinstance(uri, str) and len(uri) <= MAX_LINK else None
    if match is None or scheme(uri) not in CLICKABLE_SCHEMES:
        return None
    if scheme(uri) in ("http", "https") and not uri.partition(":")[2].startswith("//"):
        return None  # `https:evil` has no host: browsers resolve it relative to the page
    return uri


def clickable(uri: str) -> bool:
    return href(uri) is not None
