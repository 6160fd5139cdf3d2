"""The OpenAPI 3.1 document, built from the route table's declarations."""

from __future__ import annotations

import re
from typing import Any

from .. import __version__

ERROR = {"type": "object", "properties": {"error": {"type": "string"}}, "required": ["error"]}
COMMON = {400: "bad input", 401: "not logged in", 403: "cross-origin, or not the human's to do",
          404: "no such item", 409: "stale version, or a conflict", 413: "body too large"}


def document(endpoints) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for e in endpoints:
        paths.setdefault(e.path, {})[e.method.lower()] = _operation(e)
    return {
        "openapi": "3.1.0",
        "info": {"title": "htrac", "version": __version__,
                 "description": "Every route but the public ones needs the session cookie and "
                                "the session token in the X-Htrac-Token header."},
        "paths": paths,
        "components": {"securitySchemes": {
            "cookie": {"type": "apiKey", "in": "cookie", "name": "htrac_session"},
            "token": {"type": "apiKey", "in": "header", "name": "X-Htrac-Token"}}},
    }


def _operation(e) -> dict[str, Any]:
    op: dict[str, Any] = {"summary": e.summary,
                          "operationId": re.sub(r"\W+", "_", f"{e.method} {e.path}").strip("_")}
    params = [{"name": n, "in": "path", "required": True, "schema": {"type": "string"}}
              for n in re.findall(r"{(\w+)}", e.path)]
    params += [{"name": n, "in": "query", "required": False, "description": d,
                "schema": {"type": "string"}} for n, d in e.query]
    if e.if_match:
        params.append({"name": "If-Match", "in": "header", "required": False,
                       "description": "the item's version the write was based on; 409 with the "
                                      "current item if it changed", "schema": {"type": "string"}})
    if params:
        op["parameters"] = params
    if e.body is not None:
        op["requestBody"] = {"required": e.body_required,
                             "content": {"application/json": {"schema": e.body}}}
    ok: dict[str, Any] = {"description": "OK"}
    ok["content"] = {"application/json": {"schema": e.answer_schema or {"type": "object"}}}
    responses: dict[str, Any] = {str(e.status): ok}
    codes = dict(COMMON)
    codes.update(e.answers)
    for code, text in codes.items():
        if e.public and code == 401 and code not in e.answers:
            continue
        responses[str(code)] = {"description": text,
                                "content": {"application/json": {"schema": ERROR}}}
    responses["429"] = {"description": "back off", "content": {"application/json":
                                                               {"schema": ERROR}}}
    op["responses"] = responses
    if not e.public:
        op["security"] = [{"cookie": [], "token": []}]
    return op
