"""A real server per test module (starting one costs a second); tests make their own items."""

from __future__ import annotations

import browser
import pytest
from webserver import new_server


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = new_server(tmp_path_factory.mktemp("serve"))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def client(server):
    """A logged-in client (cookie and token), as the page is."""
    return server.login()


@pytest.fixture(scope="module")
def item_id(server, client):
    """An item the route tests aim at (made over the API: quicker than the CLI)."""
    answer = client.post(server.url("/api/items"), json={"kind": "work_item",
                                                          "title": "route target"})
    return answer.json()["id"]


@pytest.fixture(scope="module")
def chromium():
    """Debian's Chromium for the module's browser tests (skips where there is none)."""
    pw, context = browser.launch()
    yield context
    browser.close(pw, context)


@pytest.fixture
def page(chromium, server):
    chromium.clear_cookies()
    page = chromium.new_page()
    page.set_default_timeout(30_000)  # a loaded machine is slow, never wrong
    yield page
    page.close()
