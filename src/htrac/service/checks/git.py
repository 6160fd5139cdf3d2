"""Setup/doctor checks for git integration: attributes, ignores, the diff driver, the hook."""

from __future__ import annotations

import os
import shlex
import shutil
from collections.abc import Iterator
from pathlib import Path

from ...gitio import attributes as attrs
from ...core.errors import HtracError
from ...gitio.run import GitError, git, must, toplevel
from . import ERROR, FIXED, OK, WARN, CheckContext, Result


def _repo(ctx: CheckContext):
    return toplevel(ctx.repo)


def gitattributes(ctx: CheckContext) -> Iterator[Result]:
    name = "gitattributes"
    targets = [(ctx.repo / ".gitattributes", attrs.ROOT_ATTRIBUTES)]
    targets += [(ctx.repo / d / ".gitattributes", attrs.OPS_DIR_ATTRIBUTES)
                for d in (".agent/tracker/.ops", ".agent/tracker-workspace/.ops")]
    missing = [(path, lines) for path, wanted in targets
               if (lines := attrs.missing_lines(path, wanted))]
    if not missing:
        yield Result(name, OK, "ops files merge with merge=union and diff with the tracker driver")
        return
    details = tuple(f"{p.relative_to(ctx.repo)}: {line}" for p, lines in missing for line in lines)
    if ctx.fix:
        for path, lines in missing:
            attrs.append_lines(path, lines)
        yield Result(name, FIXED, "added merge=union and diff=tracker attributes", details=details)
    else:
        yield Result(name, ERROR, "ops files lack merge=union / diff=tracker attributes: "
                     "branch merges would conflict", fix="htrac setup", details=details)


def gitignore(ctx: CheckContext) -> Iterator[Result]:
    name = "gitignore"
    path = ctx.repo / ".gitignore"
    missing = attrs.missing_lines(path, attrs.ROOT_IGNORES)
    if not missing:
        yield Result(name, OK, "htrac's local files are ignored")
    elif ctx.fix:
        attrs.append_lines(path, missing, header=attrs.IGNORE_HEADER)
        yield Result(name, FIXED, "ignored htrac's local files in .gitignore",
                     details=tuple(missing))
    else:
        yield Result(name, WARN, "htrac's local files are not ignored", fix="htrac setup",
                     details=tuple(missing))


def textconv(ctx: CheckContext) -> Iterator[Result]:
    name = "textconv"
    repo = _repo(ctx)
    if repo is None:
        yield Result(name, WARN, "not a git repository: no diff driver", fix="git init")
        return
    value = attrs.local_config(repo, attrs.TEXTCONV_KEY)
    cached = attrs.local_config(repo, attrs.CACHE_KEY) == "true"
    kind = attrs.textconv_kind(value) if value else None
    if kind == "isolated" and cached:
        yield Result(name, OK, f"git diff shows compiled items ({value}, isolated)")
        return
    command = value if kind == "isolated" else attrs.textconv_command()
    wire = (f"git config --local {attrs.TEXTCONV_KEY} {shlex.quote(command)} && "
            f"git config --local {attrs.CACHE_KEY} true")
    if kind == "foreign":
        yield Result(name, WARN, f"diff.tracker.textconv is '{value}', not htrac's driver",
                     fix=wire)
        return
    if not ctx.fix:
        if kind == "stale":
            yield Result(name, ERROR, f"git runs the tracker diff driver as '{value}', which "
                         "can import or run code from the repository: whoever pushes an htrac/ "
                         "package or script runs it as you on git diff", fix=wire)
        else:
            yield Result(name, WARN, "git diff shows raw ops instead of compiled items", fix=wire)
        return
    try:
        attrs.set_local_config(repo, attrs.TEXTCONV_KEY, command)
        attrs.set_local_config(repo, attrs.CACHE_KEY, "true")
    except GitError as exc:
        yield Result(name, ERROR, f"could not configure the diff driver: {exc}", fix=wire)
        return
    was = f", replacing '{value}'" if kind == "stale" else ""
    yield Result(name, FIXED, f"configured the tracker diff driver ({command}, isolated, "
                 f"cached{was})")


def precommit_hook(ctx: CheckContext) -> Iterator[Result]:
    name = "precommit_hook"
    repo = _repo(ctx)
    if repo is None:
        yield Result(name, WARN, "not a git repository: no pre-commit hook", fix="git init")
        return
    hook = attrs.hooks_dir(repo) / "pre-commit"
    try:
        text = hook.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        text = None
    reference = _reference_validate(text or "") or _reference_precommit_config(repo)
    if reference:
        yield Result(name, ERROR if "--strict" in (text or "--strict") else WARN,
                     f"the pre-commit hook runs the reference's validate ({reference}): it "
                     "warns \"missing nonce comment\" on every line htrac writes (it knows "
                     "only 4-hex nonces) and, with --strict on the whole tracker, refuses "
                     "the commit",
                     fix=f"replace it with htrac's (rm {hook} && htrac setup), which runs "
                         f"{attrs.HOOK_COMMAND}; see docs/guide/switching.md")
        return
    kind = attrs.hook_kind(text) if text is not None else None
    if kind == "isolated":
        if os.access(hook, os.X_OK):
            yield Result(name, OK, f"pre-commit hook validates staged ops, isolated ({hook})")
        elif ctx.fix:
            hook.chmod(0o755)
            yield Result(name, FIXED, f"made {hook} executable")
        else:
            yield Result(name, ERROR, f"{hook} is not executable, so git skips it",
                         fix=f"chmod +x {hook}")
        return
    if kind == "broken" and not ctx.fix:
        yield Result(name, ERROR, f"{hook} runs an interpreter that is gone: every commit fails",
                     fix="htrac setup (reinstalls it for the htrac you run)")
        return
    if kind == "stale" and not ctx.fix:
        yield Result(name, WARN, f"{hook} runs whatever 'htrac' is first on PATH, not isolated",
                     fix="htrac setup (installs it for this interpreter, isolated)")
        return
    if kind == "foreign":
        if attrs.hook_calls_htrac(text or ""):
            yield Result(name, OK, f"pre-commit hook calls htrac validate ({hook})")
        else:
            yield Result(name, WARN, f"{hook} exists but does not run htrac validate",
                         fix=f"add this line to it: {attrs.python_command(attrs.MODULE, *attrs.HOOK_COMMAND.split()[1:])}")
        return
    if not ctx.fix:
        yield Result(name, WARN, "no pre-commit hook: bad or rewritten ops can be committed",
                     fix="htrac setup (installs it), or with pre-commit: id htrac-validate")
        return
    hook.parent.mkdir(parents=True, exist_ok=True)
    hook.write_text(attrs.hook_script(), encoding="utf-8")
    hook.chmod(0o755)
    verb = "reinstalled" if kind else "installed"
    yield Result(name, FIXED, f"{verb} the pre-commit hook, isolated ({hook})")


def repo_programs(ctx: CheckContext) -> Iterator[Result]:
    """Git config (local, with its includes) that makes git run a file of the working tree: a
    tracked file is whatever the last push made it (the reference sets `core.hooksPath` to
    `.githooks` and its diff driver to `scripts/tracker-textconv`)."""
    name = "repo_programs"
    repo = _repo(ctx)
    if repo is None:
        return
    found = [(key, value) for key, value in attrs.local_config_list(repo)
             if attrs.runs_worktree_file(repo, key, value)]
    for key, value in found:
        yield Result(name, ERROR, f"git config {key} = {value!r} runs a file from the working "
                     "tree: whoever can change or push that file runs code as you",
                     fix=f"git config --local --unset-all {key}  (then htrac setup)")
    if not found:
        yield Result(name, OK, "no git config runs a file from the working tree")


def _reference_validate(text: str) -> str | None:
    """Why a hook's text runs hypergumbo-tracker's `validate` rather than htrac's, or None."""
    if "validate" not in text:
        return None
    for word in ("hypergumbo-tracker", "hypergumbo_tracker", "scripts/tracker"):
        if word in text:
            return f"it calls {word}"
    if "htrac" in text and "--staged" not in text:
        found = shutil.which("htrac")
        if found and _is_reference_script(Path(found)):
            return f"the htrac on PATH, {found}, is hypergumbo-tracker's"
    return None


def _is_reference_script(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return b"hypergumbo_tracker" in handle.read(4096)
    except OSError:
        return False


def _reference_precommit_config(repo: Path) -> str | None:
    """pre-commit (pre-commit.com) configured with the reference's hook."""
    try:
        text = (repo / ".pre-commit-config.yaml").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return ".pre-commit-config.yaml names hypergumbo-tracker" if "hypergumbo" in text else None


HISTORY_DEPTH = 200


def _has_head(repo) -> bool:
    result = git(repo, "rev-parse", "-q", "--verify", "HEAD")
    return result is not None and result.returncode == 0


def append_only_history(ctx: CheckContext) -> Iterator[Result]:
    """Recent commits (or those after options['since']) that removed or altered ops."""
    from ..findings import Report
    from ..tracker import Tracker
    from ..validate import Validator

    name = "append_only_history"
    repo = _repo(ctx)
    if repo is None or not _has_head(repo):
        return
    since = ctx.options.get("since")
    if not since:
        revs = must(repo, "rev-list", f"--max-count={HISTORY_DEPTH + 1}", "HEAD").split()
        since = revs[-1].decode()
    report = Report()
    try:
        Validator(Tracker.open(start=ctx.repo)).check_history(since, report)
    except HtracError as exc:
        yield Result(name, WARN, f"could not check history: {exc}",
                     fix="htrac validate --since <rev>")
        return
    if report.errors:
        yield Result(name, ERROR, f"{len(report.errors)} op(s) removed or altered in history "
                     f"since {since[:10]}", fix=f"htrac validate --since {since[:10]}",
                     details=tuple(report.errors[:20]))
    else:
        yield Result(name, OK, f"no commit since {since[:10]} removed or altered an op")


CHECKS = [gitattributes, gitignore, textconv, precommit_hook, repo_programs,
          append_only_history]
