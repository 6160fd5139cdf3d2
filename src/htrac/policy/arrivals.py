"""Files that decide authority, the stop hook or what runs, when they arrive through git.

An agent can push any file. Most are its work; these are not: they change how ops merge
(`.gitattributes`), what the tracker's config says (`config.yaml*` — a template becomes the
config where none exists), what is committed (`.gitignore` in the tracker), what an agent
runtime runs or is told (`.claude/`, `.mcp.json`, `AGENTS.md`, `CLAUDE.md`), and what git or a
tool runs (`.githooks/`, `.pre-commit-config.yaml`, `.gitmodules`); and a symbolic link inside
`.agent/` sends htrac's reads and writes elsewhere. `sync` never merges such a change behind the
human's back (DESIGN, Security): it stops and names each file, and the human merges by hand
after reading it.
"""

from __future__ import annotations

from fnmatch import fnmatchcase

SYMLINK_MODE = "120000"

# (pattern matched against the repository-relative path, why it matters)
GOVERNED: tuple[tuple[str, str], ...] = (
    (".gitattributes", "git attributes: how ops files merge and diff"),
    ("*/.gitattributes", "git attributes: how ops files merge and diff"),
    (".agent/*config.yaml*", "the tracker's config (a template becomes the config)"),
    (".agent/*.gitignore", "what the tracker keeps out of git (stealth items, the config)"),
    (".claude/*", "agent-runtime settings: hooks and commands it runs"),
    (".mcp.json", "agent-runtime MCP servers: commands it runs"),
    ("AGENTS.md", "the agents' instructions and htrac's protocol block"),
    ("CLAUDE.md", "the agents' instructions and htrac's protocol block"),
    (".githooks/*", "git hooks a hooksPath could run"),
    (".pre-commit-config.yaml", "hooks the pre-commit framework runs on commit"),
    (".gitmodules", "submodules git fetches and checks out"),
)


def why_governed(path: str, mode: str = "100644") -> str | None:
    """Why a change of `path` (git mode `mode` after the change) must not be merged silently,
    or None for an ordinary file."""
    if mode == SYMLINK_MODE and path.startswith(".agent/"):
        return "a symbolic link inside the tracker: htrac would read and write elsewhere"
    for pattern, why in GOVERNED:
        if fnmatchcase(path, pattern):
            return why
    return None
