"""Shared fixtures: a real git repository with a tracker, and htrac run as a real process."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

FULL = bool(os.environ.get("HTRAC_FULL_TESTS"))

# Tests never assert on wall time, and hypothesis's per-example deadline is one: on a machine
# shared by other sessions an example can take 0.5 s and fail the run. No deadline, anywhere.
settings.register_profile("htrac", deadline=None)
settings.load_profile("htrac")


def pytest_sessionfinish(session: pytest.Session) -> None:
    """An xdist worker hands its figures to the controller, which prints them."""
    from tests_support import FIGURES

    output = getattr(session.config, "workeroutput", None)
    if output is not None:
        output["figures"] = list(FIGURES)


def pytest_testnodedown(node, error) -> None:  # xdist's hook, on the controller
    from tests_support import FIGURES

    FIGURES.extend(getattr(node, "workeroutput", {}).get("figures", []))


def pytest_terminal_summary(terminalreporter) -> None:
    from tests_support import FIGURES

    if FIGURES:
        terminalreporter.section("figures measured by this run")
        for line in FIGURES:
            terminalreporter.write_line(f"[figure] {line}")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The default local run leaves out the slow tests — and the oracle tests, which run the
    reference's own CLI (a second or more per command); CI sets HTRAC_FULL_TESTS=1 and runs
    everything at full size. An explicit `-m` expression decides for itself."""
    if FULL or config.getoption("markexpr"):
        return
    slow = pytest.mark.skip(reason="slow: HTRAC_FULL_TESTS=1 (as CI sets) runs it")
    oracle = pytest.mark.skip(reason="runs the reference: HTRAC_FULL_TESTS=1 (as CI sets) or "
                                     "-m oracle runs it")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(slow)
        elif "oracle" in item.keywords:
            item.add_marker(oracle)


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Each test gets its own cache directory, a git identity and this interpreter's `htrac`
    first on PATH; nothing leaks between tests."""
    monkeypatch.setenv("HTRAC_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.setenv("HTRAC_STATE_DIR", str(tmp_path_factory.mktemp("state")))
    monkeypatch.setenv("GIT_AUTHOR_NAME", "htrac tests")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "tests@htrac.invalid")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "htrac tests")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "tests@htrac.invalid")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.delenv("HTRAC_DEBUG", raising=False)
    # git hooks run `htrac` from PATH: the one under test, not whichever is installed globally
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")


def git(cwd: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return result.stdout


@dataclass
class Run:
    code: int
    out: str
    err: str


@dataclass
class TrackerRepo:
    """A git repository with an initialized tracker, and a way to run `htrac` in it."""

    path: Path

    @property
    def agent_dir(self) -> Path:
        return self.path / ".agent"

    def htrac(self, *args: str, input: str | None = None, cwd: Path | None = None,
              env: dict[str, str] | None = None, timeout: float = 300) -> Run:
        """`htrac` as a real process. One that never ends (a server that should have refused
        to start) fails the test after `timeout` seconds instead of hanging the run."""
        result = subprocess.run([sys.executable, "-m", "htrac", *args], cwd=cwd or self.path,
                                input=input, capture_output=True, text=True,
                                env={**os.environ, **(env or {})}, timeout=timeout)
        return Run(result.returncode, result.stdout, result.stderr)

    def in_process(self, *args: str, input: str | None = None, cwd: Path | None = None,
                   env: dict[str, str] | None = None) -> Run:
        """`htrac` run in this process through click's test runner: the real CLI code, minus
        the interpreter's start-up (most of a command's cost in a test)."""
        from click.testing import CliRunner

        from htrac.cli.main import cli

        here = os.getcwd()
        os.chdir(cwd or self.path)
        try:
            result = CliRunner().invoke(cli, list(args), input=input, env=env,
                                        prog_name="htrac", catch_exceptions=False)
        finally:
            os.chdir(here)
        return Run(result.exit_code, result.stdout, result.stderr)

    def ok(self, *args: str, **kwargs) -> str:
        """Run htrac, in this process, and insist it succeeds; returns stdout. For arranging
        a test and reading results: what a test asserts about a real process (exit status,
        stderr, the entry point, the environment) it asks of `htrac`, which starts one."""
        run = self.in_process(*args, **kwargs)
        assert run.code == 0, f"htrac {' '.join(args)} failed ({run.code}): {run.err}"
        return run.out

    def add(self, title: str, *args: str) -> str:
        return self.ok("add", "--kind", "work_item", "--title", title, *args).strip()

    def git(self, *args: str) -> str:
        return git(self.path, *args)


@pytest.fixture
def tmp_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    return repo


@pytest.fixture
def tmp_tracker(tmp_repo: Path) -> TrackerRepo:
    """A git repository with a tracker, made in this process by what `htrac init` calls
    (tests/cli/test_setup.py runs the command itself): a process start per test saved."""
    from htrac.service.tracker import init_tracker

    init_tracker(tmp_repo)
    return TrackerRepo(tmp_repo)


REFERENCE_VERSION = "hypergumbo-tracker==0.11.0"


def _reference_install() -> Path | None:
    """The reference's `hypergumbo-tracker` in a virtual environment of its own, installed from
    PyPI on first use; None if it can't be installed here. Parallel workers (and other test
    sessions) take turns: one installs, the others then find it."""
    import fcntl

    cache = Path.home() / ".cache" / "htrac-tests"
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / "refvenv.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for candidate in (Path("/opt/refvenv"), cache / "refvenv"):
            exe = candidate / "bin" / "hypergumbo-tracker"
            if exe.exists():
                return exe
        venv = cache / "refvenv"
        try:
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True,
                           capture_output=True)
            subprocess.run([str(venv / "bin" / "pip"), "install", "-q", REFERENCE_VERSION],
                           check=True, capture_output=True, timeout=600)
        except (subprocess.SubprocessError, OSError):
            return None
        exe = venv / "bin" / "hypergumbo-tracker"
        return exe if exe.exists() else None


@pytest.fixture(scope="session")
def reference_exe() -> Path:
    exe = _reference_install()
    if exe is None:
        pytest.skip(f"could not install {REFERENCE_VERSION} from PyPI into a virtual environment")
    return exe


@pytest.fixture
def reference(reference_exe: Path):
    """Run the reference CLI: reference(cwd, *args) -> Run."""

    def run(cwd: Path, *args: str, input: str | None = None) -> Run:
        env = {**os.environ, "TRACKER_AUTO_SYNC_THRESHOLD": "0"}
        result = subprocess.run([str(reference_exe), *args], cwd=cwd, input=input,
                                capture_output=True, text=True, env=env)
        return Run(result.returncode, result.stdout, result.stderr)

    return run
