"""`htrac batch FILE|-`: run many write commands, one per line, each on its own.

Each line is split like a shell would (quotes, no expansion) and run through this same CLI, in
this process, with the batch's `--tracker-root` and `--json`; commands are looked up by name, so
any allowed command registered in `main.COMMANDS` works. Not transactional: a failed line is
reported and the next one runs.
"""

from __future__ import annotations

import contextlib
import io
import json
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

import click

from ..core.errors import InvalidValueError
from .context import Context, json_option, pass_ctx
from .render import as_json, one_line

ALLOWED = ("add", "update", "discuss", "lock", "unlock", "promote", "demote")


@dataclass
class LineResult:
    line: int
    command: str
    ok: bool
    output: str = ""
    error: str = ""
    stderr: str = ""

    def as_dict(self) -> dict:
        data: dict = {"line": self.line, "command": self.command, "ok": self.ok}
        if self.ok:
            data["output"] = _parsed(self.output)
        else:
            data["error"] = self.error
        return data


def _parsed(output: str):
    try:
        return json.loads(output)
    except ValueError:
        return output.rstrip("\n")


@click.command()
@click.argument("file", metavar="FILE|-")
@json_option
@pass_ctx
def batch(ctx: Context, file: str) -> None:
    """Run commands from FILE (or stdin for -), one per line.

    Lines are split like a shell's (quotes work, nothing is expanded); blank lines and lines
    starting with # are skipped. Allowed: add, update, discuss, lock, unlock, promote,
    demote. Exit 1 if any line failed.
    """
    root = str(ctx.tracker.layout.root)
    results = [_run_line(n, words, root, ctx.json) for n, words in _lines(_read(file))]
    failed = [r for r in results if not r.ok]
    if ctx.json:
        click.echo(as_json({"ok": not failed, "total": len(results),
                            "succeeded": len(results) - len(failed), "failed": len(failed),
                            "results": [r.as_dict() for r in results]}, indent=None))
    else:
        verdict = "FAIL" if failed else "ok"
        click.echo(f"batch: {len(results) - len(failed)}/{len(results)} succeeded ({verdict})")
        for r in failed:
            reason = r.error.removeprefix(f"line {r.line}: ")
            click.echo(f"  line {r.line}: {r.command or '?'} — {one_line(reason)}", err=True)
    if failed:
        click.get_current_context().exit(1)


def _read(file: str) -> str:
    try:
        data = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
        return data.decode("utf-8")
    except OSError as exc:
        raise InvalidValueError(f"cannot read batch file {file}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise InvalidValueError(f"batch file {file} is not UTF-8 text") from None


def _lines(text: str):
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        try:
            yield n, shlex.split(line)
        except ValueError as exc:
            yield n, ["", f"cannot split the line: {exc}"]


def _run_line(n: int, words: list[str], root: str, as_json_output: bool) -> LineResult:
    command = words[0] if words else ""
    if command == "":
        result = LineResult(n, "", False, error=f"line {n}: {words[1]}")
    elif command not in ALLOWED:
        result = LineResult(n, command, False,
                            error=f"line {n}: {command!r} not allowed in batch "
                                  f"(allowed: {', '.join(ALLOWED)})")
    else:
        result = _invoke(n, command, words, root, as_json_output)
    if not as_json_output:
        click.echo(result.output, nl=False)
        if result.stderr:
            click.echo(result.stderr, nl=False, err=True)
        if not result.ok:
            reason = result.error.removeprefix(f"line {n}: ")
            click.echo(f"  FAIL line {n}: {one_line(reason)}", err=True)
    return result


def _invoke(n: int, command: str, words: list[str], root: str, json_out: bool) -> LineResult:
    from .main import cli

    args = ["--tracker-root", root, "--no-auto-sync", *(["--json"] if json_out else []), *words]
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            cli.main(args, prog_name="htrac", standalone_mode=False)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except click.UsageError as exc:
            return LineResult(n, command, False, error=f"line {n}: invalid arguments for "
                                                      f"{command!r}: {exc.format_message()}")
        except click.exceptions.Exit as exc:
            code = exc.exit_code
        except click.ClickException as exc:
            return LineResult(n, command, False, error=f"line {n}: {exc.format_message()}")
        except click.Abort:
            code = 1
    errors = [line[len("error: "):] for line in err.getvalue().splitlines()
              if line.startswith("error: ")]
    others = "".join(line + "\n" for line in err.getvalue().splitlines()
                     if not line.startswith("error: "))
    if code:
        return LineResult(n, command, False, output=out.getvalue(), stderr=others,
                          error=errors[0] if errors else f"exit code {code}")
    return LineResult(n, command, True, output=out.getvalue(), stderr=others)
