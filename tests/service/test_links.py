"""Links: what may be stored, and the one allowlist of what a surface may make clickable."""

from __future__ import annotations

import pytest

from htrac.core.errors import InvalidValueError
from htrac.service.links import check_link, clickable, href


@pytest.mark.parametrize("uri", ["https://example.org/a?b=c#d", "http://localhost:8080/",
                                 "file:///home/alice/notes.md", "mailto:alice@example.org",
                                 "pr:12", "claude-session:0f3c2a", "urn:isbn:0451450523"])
def test_check_link_accepts_absolute_uris(uri):
    assert check_link(uri) == uri


@pytest.mark.parametrize("uri", ["", "no-scheme", "/abs/path", "https://a b", "https://a\nb",
                                 'https://a"onclick="x', "https://a<script>", "1http://x",
                                 "x" * 3000, None, 12])
def test_check_link_refuses_what_is_not_one_uri(uri):
    with pytest.raises(InvalidValueError):
        check_link(uri)


@pytest.mark.parametrize("uri", ["https://example.org/", "HTTP://EXAMPLE.ORG/",
                                 "file:///tmp/x", "mailto:a@b.c"])
def test_href_allows_the_listed_schemes(uri):
    assert href(uri) == uri and clickable(uri)


@pytest.mark.parametrize("uri", ["javascript:alert(1)", "JavaScript:alert(1)",
                                 "data:text/html,<b>x</b>", "vbscript:x", "pr:12",
                                 "https:evil.example", "http:/relative", "ftp://x",
                                 "java\tscript:alert(1)", " https://x", ""])
def test_href_refuses_everything_else(uri):
    assert href(uri) is None and not clickable(uri)
