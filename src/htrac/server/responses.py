"""JSON answers, and the one place a service error becomes an HTTP status."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

from ..core import errors


class HTTPError(Exception):
    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.extra = extra


STATUS = (
    (errors.NotFoundError, 404),
    (errors.TrackerNotFoundError, 503),
    (errors.AmbiguousError, 400),
    (errors.InvalidValueError, 400),
    (errors.AuthorityError, 403),
    (errors.ItemExistsError, 409),
    (errors.InternalError, 503),
    (errors.HtracError, 400),
)


def error(status: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": message, **extra}, status_code=status)


def status_of(exc: BaseException) -> int:
    if type(exc).__name__ == "StaleVersionError":
        return 409
    if type(exc).__name__ == "UnreadThreadError":
        return 409
    for kind, status in STATUS:
        if isinstance(exc, kind):
            return status
    return 500


def from_exception(exc: BaseException) -> JSONResponse:
    if isinstance(exc, HTTPError):
        return error(exc.status, str(exc), **exc.extra)
    extra: dict[str, Any] = {}
    if isinstance(exc, errors.NotFoundError):  # the reference's wording, the reason beside it
        return error(404, "Item not found", detail=str(exc))
    current = getattr(exc, "item", None)
    if type(exc).__name__ == "StaleVersionError" and current is not None:
        from .itemjson import item_json

        extra["item"] = item_json(current)
    return error(status_of(exc), str(exc), **extra)
