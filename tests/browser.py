"""Debian's Chromium driven by Playwright (never a browser Playwright downloads itself), and
where the screenshots a browser test takes are kept (`artifacts/web/`, or $HTRAC_ARTIFACTS)."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run"]
ARTIFACTS = Path(os.environ.get("HTRAC_ARTIFACTS") or Path(__file__).resolve().parents[1]
                 / "artifacts") / "web"


def skip_reason() -> str | None:
    if not Path(CHROMIUM).exists():
        return "needs Debian's chromium (apt-get install chromium; CI installs it)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "needs the playwright package (pip install -e '.[test]')"
    return None


def launch():
    """(playwright, context): Chromium on a fresh profile (Playwright passes it as
    --user-data-dir); stop with `close(...)`."""
    from playwright.sync_api import sync_playwright

    reason = skip_reason()
    if reason:
        pytest.skip(reason)
    profile = tempfile.mkdtemp(prefix="htrac-chromium-")
    pw = sync_playwright().start()
    context = pw.chromium.launch_persistent_context(
        profile, executable_path=CHROMIUM, headless=True, args=FLAGS,
        viewport={"width": 1280, "height": 800})
    context._htrac_profile = profile  # type: ignore[attr-defined]
    return pw, context


def close(pw, context) -> None:
    context.close()
    pw.stop()
    shutil.rmtree(context._htrac_profile, ignore_errors=True)


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


def log_in(page, origin: str) -> None:
    """Log in on a fresh page with the test password, and wait for the live feed."""
    from webserver import PASSWORD

    page.goto(origin + "/")
    page.evaluate("localStorage.clear()")
    page.goto(origin + "/")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    try:
        page.wait_for_selector("[data-live=live]")
    except Exception as exc:  # say what the page shows: login refused, offline, reconnecting
        live = page.eval_on_selector_all("[data-live]", "els => els.map(e => e.dataset.live)")
        text = page.inner_text("body")[:500]
        raise AssertionError(f"not live after logging in ({exc.__class__.__name__}); "
                             f"live state {live}, page: {text!r}") from exc


def ops_text(server, item_id: str) -> str:
    """The item's op-log as written in the tracker's files."""
    found = list(server.repo.glob(f".agent/**/.{item_id}.ops"))
    assert len(found) == 1
    return found[0].read_text()
