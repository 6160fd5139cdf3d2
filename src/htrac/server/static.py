"""The built frontend (`static/`, committed so `pip install` needs no Node): its assets, and its
index page for every path the page's router owns, with headers that keep agent-written text
inert (no inline script, nothing loaded from elsewhere, never framed)."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.staticfiles import StaticFiles

STATIC = Path(__file__).with_name("static")

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")
HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
           "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY",
           "Cache-Control": "no-cache"}


def assets() -> StaticFiles:
    return StaticFiles(directory=STATIC / "assets", check_dir=False)


async def index(request: Request) -> Response:
    page = STATIC / "index.html"
    if not page.is_file():
        return PlainTextResponse("the web UI is not built: run 'make frontend'", status_code=404,
                                 headers=HEADERS)
    return FileResponse(page, media_type="text/html", headers=HEADERS)
