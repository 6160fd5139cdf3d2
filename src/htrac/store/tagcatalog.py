"""The tag catalog: `.agent/tracker/tag_catalog.yaml`, what the tracker knows about each tag.

`tags: {name: {description, created_on, last_modified, last_used, deprecated, in_favor_of}}`, in
the reference's layout, so either tool reads what the other wrote. Rewritten whole through a
temporary file and a rename, so a reader never sees half a catalog. A catalog that can't be read
is reported, never overwritten.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..core.errors import ConfigError, WriteError
from ..core.scalars import format_scalar
from ..core.yamlread import YamlError, load_block

FILE_NAME = "tag_catalog.yaml"


@dataclass
class TagInfo:
    """What the tag catalog records about one tag."""
    description: str = ""
    created_on: str | None = None
    last_modified: str | None = None
    last_used: str | None = None
    deprecated: bool = False
    in_favor_of: str | None = None

    @classmethod
    def from_mapping(cls, raw: Any) -> TagInfo:
        raw = raw if isinstance(raw, dict) else {}

        def text(key: str) -> str | None:
            value = raw.get(key)
            return None if value is None else str(value)

        return cls(description=str(raw.get("description") or ""),
                   created_on=text("created_on"), last_modified=text("last_modified"),
                   last_used=text("last_used"), deprecated=raw.get("deprecated") is True,
                   in_favor_of=text("in_favor_of"))


class TagCatalog:
    def __init__(self, tracker_dir: Path) -> None:
        self.path = tracker_dir / FILE_NAME

    def load(self) -> dict[str, TagInfo]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read {self.path}: {exc}") from None
        try:
            raw = load_block(text) or {}
        except YamlError as exc:
            raise ConfigError(f"{self.path}: not valid YAML ({exc}); fix or remove it") from None
        tags = raw.get("tags") if isinstance(raw, dict) else None
        if not isinstance(tags, dict):
            return {}
        return {str(name): TagInfo.from_mapping(info) for name, info in tags.items()}

    def save(self, tags: dict[str, TagInfo]) -> None:
        lines = ["tags:"] if tags else ["tags: {}"]
        for name in sorted(tags):
            lines.append(f"  {format_scalar(name)}:")
            for key, value in asdict(tags[name]).items():
                scalar = format_scalar(value) if value is not None else "null"
                lines.append(f"    {key}: {scalar}")
        tmp = self.path.with_name(f".{FILE_NAME}.{os.getpid()}.tmp")
        try:
            tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise WriteError(f"could not write {self.path}: {exc.strerror or exc}") from None
