"""Setup/doctor checks for git integration: attributes, ignores, the diff driver, the hook."""

from __future__ import annotations

import os
from collections.abc import Iterator

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
    if value and attrs.is_textconv_ours(value) and cached:
        yield Result(name, OK, f"git diff shows compiled items ({value})")
        return
    if value and not attrs.is_textconv_ours(value):
        yield Result(name, WARN, f"diff.tracker.textconv is '{value}', not htrac's driver",
                     fix=f"git config --local {attrs.TEXTCONV_KEY} 'htrac textconv'")
        return
    command = value or attrs.textconv_command()
    if not ctx.fix:
        yield Result(name, WARN, "git diff shows raw ops instead of compiled items",
                     fix=f"git config --local {attrs.TEXTCONV_KEY} '{command}' && "
                         f"git config --local {attrs.CACHE_KEY} true")
        return
    try:
        attrs.set_local_config(repo, attrs.TEXTCONV_KEY, command)
        attrs.set_local_config(repo, attrs.CACHE_KEY, "true")
    except GitError as exc:
        yield Result(name, ERROR, f"could not configure the diff driver: {exc}",
                     fix=f"git config --local {attrs.TEXTCONV_KEY} '{command}'")
        return
    yield Result(name, FIXED, f"configured the tracker diff driver ({command}, cached)")


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
    if text is not None and attrs.hook_calls_htrac(text):
        if os.access(hook, os.X_OK):
            yield Result(name, OK, f"pre-commit hook validates staged ops ({hook})")
        elif ctx.fix:
            hook.chmod(0o755)
            yield Result(name, FIXED, f"made {hook} executable")
        else:
            yield Result(name, ERROR, f"{hook} is not executable, so git skips it",
                         fix=f"chmod +x {hook}")
        return
    if text is not None:
        yield Result(name, WARN, f"{hook} exists but does not run htrac validate",
                     fix=f"add this line to it: {attrs.HOOK_COMMAND}")
        return
    if not ctx.fix:
        yield Result(name, WARN, "no pre-commit hook: bad or rewritten ops can be committed",
                     fix="htrac setup (installs it), or with pre-commit: id htrac-validate")
        return
    hook.parent.mkdir(parents=True, exist_ok=True)
    hook.write_text(attrs.HOOK_SCRIPT, encoding="utf-8")
    hook.chmod(0o755)
    yield Result(name, FIXED, f"installed the pre-commit hook ({hook})")


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


CHECKS = [gitattributes, gitignore, textconv, precommit_hook, append_only_history]
