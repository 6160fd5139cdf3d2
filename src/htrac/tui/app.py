"""`htrac tui`: the human's console. `create_app` builds it for `htrac tui` and for the tests."""

from __future__ import annotations

import time
from pathlib import Path

from textual import work
from textual.app import App, SystemCommand

from .actions import ACTIONS
from .backend import Backend, message_of, opening
from .prefs import Preferences
from .screens.main import TrackerScreen


class HtracApp(App):
    TITLE = "htrac"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = []

    def __init__(self, backend: Backend, *, live: bool = True, started: float | None = None,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.backend = backend
        self.live_enabled = live
        self.started = started
        self.tracker_root = backend.tracker.layout.root
        self.prefs = Preferences.load(self.tracker_root)
        self.main: TrackerScreen | None = None
        self.feed = None
        self.edit_status = None

    def on_mount(self) -> None:
        self.main = TrackerScreen(self.backend, self.prefs, self.tracker_root)
        self.push_screen(self.main)  # its on_mount starts first_load

    @work(group="load", exit_on_error=False)
    async def first_load(self) -> None:
        from textual.css.query import NoMatches

        try:
            await self._first_load()
        except NoMatches:
            pass  # quit before the first rows came: the screen is gone

    async def _first_load(self) -> None:
        main = self.main
        if main.view != "needs":  # what waits on the human comes first
            main.view = "needs"
            try:
                needs = await self.backend.first(main.effective_query())
            except Exception:
                needs = None  # the view's own load below says what went wrong
            if needs is not None and needs.rows:
                await main.action_view("needs", preloaded=needs)
            else:
                main.view = self.prefs.view
                await main.reload(first=True)
        else:
            await main.reload(first=True)
        if self.started is not None:
            self.first_frame = time.monotonic() - self.started
        await main.add_reply_box()
        if main.partial:  # the first screenful is drawn: now every row
            await main.reload(looked=self.live_enabled)
        if self.live_enabled:
            self.follow_changes()
        else:
            main.set_live("off")
        status = await self.backend.call(self.backend.edit_mode)
        self.show_edit_mode(status)

    @work(group="feed", exit_on_error=False)
    async def follow_changes(self) -> None:
        """Show what other processes change, as the service's change feed reports it."""
        from ..service.changefeed import ChangeFeed

        try:
            # from where the first rows were read (as the index stood, no look at the files):
            # its first batch is what changed since
            self.feed = await self.backend.call(ChangeFeed, self.backend.tracker,
                                                since=self.backend.as_of)
        except Exception as error:
            self.main.set_live("off")
            self.notify(f"live updates unavailable: {message_of(error)}", severity="warning")
            return
        self.main.set_live("on")
        try:
            async for changes in self.feed:
                await self.main.on_changes(changes)
        except Exception as error:
            self.main.set_live("off")
            self.notify(f"live updates stopped: {message_of(error)}", severity="warning")

    # -- edit mode banner ---------------------------------------------------------------------

    def show_edit_mode(self, status) -> None:
        self.edit_status = (status, time.monotonic())
        self._tick_edit_mode()
        if status.active and not getattr(self, "_edit_timer", None):
            self._edit_timer = self.set_interval(1, self._tick_edit_mode)

    def _tick_edit_mode(self) -> None:
        from rich.text import Text
        from textual.widgets import Static

        status, since = self.edit_status
        found = self.main.query("#editmode").results(Static)
        banner = next(found, None)
        if banner is None:  # the screen is between layouts: the next tick draws it
            return
        left = int(status.remaining - (time.monotonic() - since))
        if not status.active or left <= 0:
            banner.remove_class("-on")
            return
        banner.add_class("-on")
        banner.update(Text(f"EDIT MODE ON — {left // 60}m {left % 60:02d}s remaining — "
                           f"{status.used}/{status.cap} ops"))

    # -- screenshot ---------------------------------------------------------------------------

    @work(group="screenshot")
    async def take_screenshot(self, item_id: str | None) -> None:
        from .screens.annotate import AnnotateScreen
        from .screenshot import annotate, file_name, rewrite_svg, save_svg, screenshot_dir

        try:
            directory = screenshot_dir(self.tracker_root)
            svg = self.export_screenshot()
            path = save_svg(directory, file_name(item_id), svg)
        except Exception as error:
            self.notify(f"no screenshot: {message_of(error)}", severity="error")
            return
        under = self.screen._compositor.render_strips()
        shapes = await self.push_screen_wait(AnnotateScreen(under))
        if shapes:
            rewrite_svg(path, annotate(svg, shapes))
            self.notify(f"annotated screenshot: {path}", timeout=8)
        else:
            self.notify(f"screenshot: {path}", timeout=8)
        self.last_screenshot = path

    # -- the command palette ------------------------------------------------------------------

    def get_system_commands(self, screen):
        yield from super().get_system_commands(screen)
        main = self.main
        if main is None:
            return
        for action in ACTIONS:
            yield SystemCommand(action.title, action.help,
                                lambda a=action.action: self.run_action(a, main))

    async def on_unmount(self) -> None:
        if self.feed is not None:
            self.feed.close()
        self.backend.close()


def create_app(tracker_root: Path | None = None, *, start: Path | None = None,
               live: bool = True, started: float | None = None,
               backend: Backend | None = None) -> HtracApp:
    """The TUI for the tracker found from `start` (or at `tracker_root`), as this OS user
    (`backend`: one `opening` already started)."""
    return HtracApp(backend or opening(tracker_root, start, live=live), live=live,
                    started=started)
