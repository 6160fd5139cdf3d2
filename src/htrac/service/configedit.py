"""Changing the in-repository config without ever leaving an invalid one behind.

`fork-setup` and `setup configure` edit `.agent/tracker/config.yaml` (starting from the
template, or from the built-in defaults, when it does not exist yet — the reference started from
an empty mapping there and wrote a config that bricked every later command). The new text is
validated as a whole before it replaces the old one (write to a temporary file, rename), and
comments survive (ruamel's round-trip mode). The file is left read-only (0444), as the
reference leaves it.
"""

from __future__ import annotations

import copy
import io
import os
import subprocess
import tempfile
from pathlib import Path

from ..core.config import DEFAULTS, parse_config
from ..core.errors import ConfigError, InvalidValueError
from .humanops import require_human
from .tracker import Tracker

CONFIG_MODE = 0o444


def config_path(tracker: Tracker) -> Path:
    return tracker.layout.tracker_dir / "config.yaml"


def current_text(tracker: Tracker) -> str:
    for name in ("config.yaml", "config.yaml.template"):
        path = tracker.layout.tracker_dir / name
        if path.is_file():
            return path.read_text(encoding="utf-8")
    return _dump(copy.deepcopy(DEFAULTS))


def _yaml():
    from ruamel.yaml import YAML
    yaml = YAML()
    yaml.preserve_quotes = True
    return yaml


def _dump(data) -> str:
    out = io.StringIO()
    _yaml().dump(data, out)
    return out.getvalue()


def set_scope(tracker: Tracker, scope: str) -> None:
    require_human(tracker, "fork-setup")
    data = _yaml().load(current_text(tracker)) or {}
    if not isinstance(data, dict):
        raise ConfigError(f"{config_path(tracker)} is not a mapping; fix it by hand first")
    hook = data.get("stop_hook")
    if not isinstance(hook, dict):
        data["stop_hook"] = hook = copy.deepcopy(DEFAULTS["stop_hook"])
    hook["scope"] = scope
    install(tracker, _dump(data))


def install(tracker: Tracker, text: str) -> None:
    """Validate `text` as a whole config and make it config.yaml; nothing changes if invalid."""
    path = config_path(tracker)
    parse_config(text, source=str(path))  # raises before anything is written
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".config.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, CONFIG_MODE)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def configure(tracker: Tracker, editor: str) -> bool:
    """Let the human edit the config in `editor`; install it only if valid. True if changed."""
    require_human(tracker, "setup configure")
    before = current_text(tracker)
    with tempfile.TemporaryDirectory() as scratch:
        draft = Path(scratch) / "config.yaml"
        draft.write_text(before, encoding="utf-8")
        try:
            code = subprocess.run([*editor.split(), str(draft)]).returncode
        except OSError as exc:
            raise InvalidValueError(f"cannot run the editor {editor!r}: {exc.strerror}; "
                                    "set $EDITOR") from None
        if code != 0:
            raise InvalidValueError(f"the editor exited with {code}; config unchanged")
        after = draft.read_text(encoding="utf-8")
    if after == before and config_path(tracker).is_file():
        return False
    try:
        install(tracker, after)
    except ConfigError as exc:
        raise InvalidValueError(f"not saved, the config would be invalid: {exc}") from None
    return True
