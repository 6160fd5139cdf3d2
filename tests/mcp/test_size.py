"""The context bill: the whole `tools/list` answer, as the server writes it, must stay within
10 KB of JSON and 2,500 tokens (cl100k_base) — the figures are printed with every run."""

from __future__ import annotations

import json

import pytest
from mcp_client import raw_tools_list
from tests_support import report

from htrac.service.tokens import TOKENIZER, count_tokens

MAX_BYTES = 10 * 1024
MAX_TOKENS = 2500


@pytest.mark.parametrize("args", [(), ("--allow-human-ops",)], ids=["default", "human-ops"])
def test_size_tools_list_fits_the_budget(tmp_tracker, args, capsys):
    line = raw_tools_list(tmp_tracker.path, *args)
    tools = json.loads(line)["result"]["tools"]
    size, tokens = len(line), count_tokens(line.decode("utf-8"))
    figure = (f"htrac mcp {' '.join(args) or '(default tools)'}: tools/list answer of "
              f"{len(tools)} tools = {size:,} bytes, {tokens:,} tokens ({TOKENIZER})")
    report(figure)
    with capsys.disabled():
        print(f"\n{figure}")
    assert size <= MAX_BYTES and tokens <= MAX_TOKENS, figure
