"""JSON schemas of what the API takes and answers, for the OpenAPI document (and the fuzzer
that checks the server against it)."""

from __future__ import annotations

from typing import Any

STR = {"type": "string"}
INT = {"type": "integer"}
BOOL = {"type": "boolean"}
STRS = {"type": "array", "items": STR}


def obj(properties: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    return schema


HEALTH = obj({"status": STR, "pid": INT, "uptime_seconds": {"type": "number"}},
             ("status", "pid", "uptime_seconds"))
LOGIN = obj({"password": STR, "user": STR}, ("password",))
SESSION = obj({"user": STR, "method": STR, "token": STR, "device": STR},
              ("user", "method", "token"))
PASSKEY_REGISTER = obj({"credential": {"type": "object"}, "name": STR}, ("credential",))
PASSKEY_LOGIN = obj({"challenge_id": STR, "credential": {"type": "object"}},
                    ("challenge_id", "credential"))
ENTRY = obj({"by": STR, "actor": STR, "at": STR, "message": STR, "is_summary": BOOL})
LEASE = obj({"state": {"type": "string", "enum": ["live", "expired"]}, "seconds_left": INT,
             "expires_at": {"type": ["string", "null"]},
             "last_renewed": {"type": ["string", "null"]}, "suspect": BOOL},
            ("state", "seconds_left", "suspect"))
HOLDING = obj({"id": STR, "title": STR, "status": STR, "holder": STR, "actor": STR,
               "session": STR, "by": STR, "taken_at": STR, "renewed_at": STR,
               "ttl_seconds": INT, "paths": STRS, "from": {"type": ["string", "null"]},
               "lease": LEASE, "live": BOOL, "text": STR},
              ("id", "holder", "actor", "session", "lease", "live", "text"))
CLAIMS = obj({"claims": {"type": "array", "items": HOLDING}}, ("claims",))
RELEASE = obj({"reason": STR})
ITEM = obj({
    "id": STR, "kind": STR, "title": STR, "status": STR, "priority": INT,
    "parent": {"type": ["string", "null"]}, "tags": STRS, "isbefore": STRS,
    "pr_ref": {"type": ["string", "null"]}, "description": STR, "fields": {"type": "object"},
    "locked_fields": STRS, "discussion": {"type": "array", "items": ENTRY}, "frozen": BOOL,
    "tier": STR, "created_at": STR, "updated_at": STR,
    "version": {"type": ["string", "null"]}, "op_ids": STRS,
    "holding": {"anyOf": [HOLDING, {"type": "null"}]},
}, ("id", "kind", "title", "status", "priority", "tags", "tier"))
ITEMS = obj({"items": {"type": "array", "items": {"type": "object"}}}, ("items",))
FIELD_VALUE = {"anyOf": [STR, INT, BOOL, STRS, {"type": "null"}]}
CREATE = obj({"kind": STR, "title": STR, "tier": STR, "status": STR, "priority": INT,
              "description": STR, "tags": STRS, "parent": STR,
              "fields": {"type": "object", "additionalProperties": FIELD_VALUE}},
             ("kind", "title"))
LINKS = obj({k: STRS for k in ("tags", "isbefore", "duplicate_of", "not_duplicate_of")})
UPDATE = obj({"status": STR, "priority": INT, "title": STR, "description": STR, "pr_ref": STR,
              "parent": STR, "clear_parent": BOOL, "tags": STRS, "add": LINKS, "remove": LINKS,
              "add_blocked_by": STRS, "remove_blocked_by": STRS,
              "fields": {"type": "object", "additionalProperties": FIELD_VALUE}})
DISCUSS = obj({"message": STR}, ("message",))
FIELDS = obj({"fields": STRS, "seen": STRS}, ("fields",))
SEEN = obj({"seen": STRS})
READ = obj({"read": BOOL})
MOVE = obj({"to": {"type": "string", "enum": ["canonical", "workspace", "stealth"]}}, ("to",))
EDIT_MODE = obj({"active": BOOL, "remaining": INT, "ops_used": INT, "cap_max": INT},
                ("active", "remaining", "ops_used", "cap_max"))
EDIT_SWITCH = obj({"on": BOOL, "ttl_seconds": {"type": "integer", "minimum": 1, "maximum": 3600},
                   "cap_max": {"type": "integer", "minimum": 1, "maximum": 500}}, ("on",))
REPAIR = obj({"ok": BOOL, "restored": INT, "has_sentinel": BOOL, "item": ITEM},
             ("ok", "restored", "has_sentinel", "item"))
ACTIVITY_ENTRY = obj({"id": STR, "item_id": STR, "tier": STR, "type": STR,
                      "at": {"type": ["string", "null"]}, "actor": {"type": ["string", "null"]},
                      "by": {"type": ["string", "null"]},
                      "counts_as": {"type": "string", "enum": ["human", "agent"]},
                      "summary": STR},
                     ("id", "item_id", "tier", "type", "counts_as", "summary"))
ACTIVITY = obj({"ops": {"type": "array", "items": ACTIVITY_ENTRY}}, ("ops",))
