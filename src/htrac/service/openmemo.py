"""`Tracker.open`, remembered: what opening this tracker found, beside the state of everything
it depends on, so the hot read path (`service.quick`) can skip parsing the configuration,
reading the trust root and resolving the actor — and importing the code that does those.

Opening a tracker is a function of a few files and facts: the configuration file, the trust
root directory (its listing, each trust file and baseline, their owners and modes), where the
tracker's directories really lead, and who runs the command. `inputs` reads that state — a
`stat` per file, never their content — and the memo is used only while it is equal, down to
inode, size, modification and change time (which no user can set back), mode and owner. Like
git's index, a file changed within `RACY_NS` of being looked at can't be told apart by its
stamp from one changed again in the same clock tick, so no memo is written while any is that
young. A memo is written for the htrac version that made it. When the machine's trust root has
keys, the open also depends on the ops (which keys signed them), and the memo holds only while
the index is in the state it was in before the open (`remember`).

The memo lives beside the index, in this user's own cache directory: an agent user can't write
the human's, just as it can't write the human's index.
"""

from __future__ import annotations

import marshal
import os
import time

from .. import __version__
from ..policy.trustdir import BASELINE_SUFFIX, SUFFIX, TRUST_DIR
from ..store.places import CONFIG_FILES, TIERS, ops_dir

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .tracker import Tracker

MEMO = "open.memo"
FORMAT = 3  # what `outputs` holds; a memo of another format is not used
RACY_NS = 2_000_000_000

Stamp = tuple[int, ...] | tuple[str, int] | None


def inputs(root: str, trust_dir: str = TRUST_DIR) -> tuple[object, ...]:
    """The state opening the tracker at `root` (its `.agent` directory) depends on."""
    real = os.path.realpath
    uid = os.getuid()
    return (FORMAT, __version__, root, real(root), real(os.path.dirname(root)),
            tuple(real(ops_dir(root, tier)) for tier in TIERS),
            tuple(_stamp(f"{root}/{name}") for name in CONFIG_FILES),
            _trust(trust_dir), uid, _user(uid))


def _stamp(path: str, follow: bool = True) -> Stamp:
    try:
        st = os.stat(path, follow_symlinks=follow)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        return ("error", exc.errno or 0)
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_mode,
            st.st_uid)


def _trust(directory: str) -> tuple[object, ...] | None:
    """The trust root directory as `policy.trustroot.find` reads it: the directory, and for
    each trust file the file and its baseline, seen through links and as links; the names of
    the users who own any of them (an agent's file is refused)."""
    here = _stamp(directory)
    if here is None or here[0] == "error":
        return (here,)
    try:
        names = sorted(n for n in os.listdir(directory) if n.endswith(SUFFIX))
    except OSError as exc:
        return (here, ("error", exc.errno or 0))
    files = []
    for name in names:
        path = f"{directory}/{name}"
        baseline = path[:-len(SUFFIX)] + BASELINE_SUFFIX
        files.append((name, _stamp(path, follow=False), _stamp(path), _stamp(baseline, False),
                      _stamp(baseline)))
    stamps = [here, *(s for f in files for s in f[1:])]
    owners = sorted({s[6] for s in stamps if s is not None and len(s) == 7 and s[6] != 0})
    return (here, tuple(files), tuple((uid, _user(uid)) for uid in owners))


def _user(uid: int) -> str | None:
    import pwd

    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return None


def load(cache: str) -> dict[str, object] | None:
    """The memo in the cache directory `cache`: {"inputs": …, "outputs": …}, or None."""
    try:
        with open(f"{cache}/{MEMO}", "rb") as handle:
            memo = marshal.loads(handle.read())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    return memo if isinstance(memo, dict) and "inputs" in memo else None


def outputs_of(tracker: Tracker) -> dict[str, object]:
    """What the hot commands need from an open tracker."""
    from ..store.store import watch_setting
    from .queries import scope_tiers

    config = tracker.config
    index = tracker.store.index
    return {"root": str(tracker.layout.root),
            "fingerprint": index.fingerprint if index is not None else None,
            "watch": watch_setting(config.index_watch),
            "statuses": config.statuses, "blocking": config.blocking_statuses,
            "resolved": config.resolved_statuses, "scope": scope_tiers(config),
            "kinds": tuple(config.kinds), "working": config.claims.working_statuses,
            "skew": config.claims.clock_skew_seconds,
            # closes that need evidence make the stop hook ask git (service.evidence)
            "evidence": bool(config.evidence.require),
            # a trust root with keys governs a tracker holding an op one of them signed
            # (`governance.governed_by_content`): the open then depends on the ops
            "keyed": _keyed(),
            "actor": (tracker.actor.name, tracker.actor.by)}


def _keyed() -> bool:
    """Does the machine's trust root hold keys (so the open may depend on the ops)? When it
    can't be told, yes: binding the memo to the index only costs a command the quick way."""
    from ..policy.trustroot import by_key

    try:
        return bool(by_key())
    except Exception:
        return True


def remember(cache: str, before: tuple[object, ...], tracker: Tracker,
             known: dict[str, object] | None = None, index: object = None) -> bool:
    """Record what `tracker` found, opened after `inputs` returned `before` and the index was
    found in state `index` (`store.quickindex.state`). Nothing is written when it is already
    recorded, when any input is too young to be told apart by its stamp, or when the tracker
    is not the one `before` describes. Whether it wrote.

    When the open depended on the ops (`outputs_of`: "keyed"), the memo holds only while the
    index stays in the state it was in before the open: ops that arrived while the tracker was
    opened, and that its refresh then indexed, could make another trust root govern it."""
    outputs = outputs_of(tracker)
    if outputs["root"] != before[2] or outputs["fingerprint"] is None:
        return False
    memo = {"inputs": before, "outputs": outputs, "index": index if outputs["keyed"] else None}
    if memo == known or _young(before):
        return False
    try:
        os.makedirs(cache, mode=0o700, exist_ok=True)
        temporary = f"{cache}/.{MEMO}.{os.getpid()}"
        with open(temporary, "wb") as handle:
            handle.write(marshal.dumps(memo))
        os.replace(temporary, f"{cache}/{MEMO}")
    except OSError:
        return False  # a memo is a shortcut: a read-only cache only costs the long way
    return True


def _young(before: tuple[object, ...], now: int | None = None) -> bool:
    """Does any file of `inputs` say it changed within `RACY_NS` of now?"""
    now = time.time_ns() if now is None else now
    config, trust = before[6], before[7]
    stamps: list[object] = list(config) if isinstance(config, tuple) else []
    if isinstance(trust, tuple) and trust:
        stamps.append(trust[0])
        files = trust[1] if len(trust) == 3 else ()
        for entry in files if isinstance(files, tuple) else ():
            stamps.extend(entry[1:])
    return any(isinstance(s, tuple) and len(s) == 7 and max(s[3], s[4]) + RACY_NS > now
               for s in stamps)
