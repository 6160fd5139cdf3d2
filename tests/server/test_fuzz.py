"""A fuzz run of the OpenAPI document (schemathesis) against a real, logged-in server: whatever
it sends, the server never answers 5xx."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tests_support import FULL, report

pytestmark = pytest.mark.slow


def _schemathesis() -> str:
    exe = Path(sys.executable).with_name("schemathesis")
    if exe.exists():
        return str(exe)
    found = shutil.which("schemathesis")
    if not found:
        pytest.skip("needs schemathesis (pip install -e '.[test]')")
    return found


def test_fuzz_openapi_no_server_errors(server, client, tmp_path):
    # something to aim at: items the generated IDs may hit, with a discussion and locks
    for n in range(3):
        server.add(f"fuzz target {n}")
    examples = "60" if FULL else "15"
    result = subprocess.run(
        [_schemathesis(), "run", server.url("/api/openapi.json"),
         "--checks", "not_a_server_error", "--max-examples", examples, "--seed", "7",
         "--url", server.origin, "--request-timeout", "30",
         "-H", f"X-Htrac-Token: {client.token}",
         "-H", f"Cookie: htrac_session={client.cookies.get('htrac_session')}",
         "-H", f"Origin: {server.origin}",
         "--exclude-path", "/api/auth/logout"],  # logging out would end the run's session
        capture_output=True, text=True, timeout=900, cwd=tmp_path)
    tail = "\n".join(result.stdout.strip().splitlines()[-25:])
    assert result.returncode == 0, tail + result.stderr[-2000:]
    report(f"web fuzz: schemathesis, {examples} examples per operation, 0 server errors")
