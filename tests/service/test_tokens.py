"""Token counting: the one tokenizer every budget is measured with, read from a package."""

from __future__ import annotations

import shutil

import pytest

from htrac.core.errors import InternalError
from htrac.service import tokens


def test_tokens_counts_cl100k_base_as_published():
    # Known cl100k_base encodings: "hello world" is [15339, 1917]; "tiktoken is great!" is
    # [83, 1609, 5963, 374, 2294, 0] (tiktoken's own README).
    assert tokens._encoding().encode_ordinary("hello world") == [15339, 1917]
    assert tokens.count_tokens("tiktoken is great!") == 6
    assert tokens.count_tokens("") == 0


def test_tokens_special_token_text_counts_as_plain_text():
    assert tokens.count_tokens("<|endoftext|>") > 1


def test_tokens_refuse_a_vocabulary_that_is_not_the_published_one(tmp_path, monkeypatch):
    copy = tmp_path / "cl100k_base.tiktoken"
    shutil.copy(tokens.vocabulary_path(), copy)
    with copy.open("ab") as handle:
        handle.write(b"aGk= 100300\n")
    monkeypatch.setattr(tokens, "vocabulary_path", lambda: copy)
    tokens._encoding.cache_clear()
    try:
        with pytest.raises(InternalError, match="not the published cl100k_base"):
            tokens.count_tokens("x")
    finally:
        tokens._encoding.cache_clear()
