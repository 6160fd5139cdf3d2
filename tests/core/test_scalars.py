"""The scalar writer must choose ruamel's style byte for byte, and the reader resolve YAML 1.2."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from htrac.core.scalars import format_scalar, format_string, resolve_plain

BREAKS = "\x85\u2028\u2029"
# Text like what lands in ops files, with a heavy share of YAML-significant characters.
yamlish = st.text(
    alphabet=st.one_of(st.sampled_from(list(" -?:,[]{}#&*!|>'\"%@`~.0123456789eEoxbtrufalsnyNT_+\\\t\n")),
                       st.characters(codec="utf-8", exclude_characters=BREAKS)),
    max_size=12)


def ruamel_block(value: str) -> str:
    out = io.StringIO()
    yaml = YAML()
    yaml.width = 1 << 30
    yaml.dump(CommentedMap([("k", value)]), out)
    return out.getvalue()


def ruamel_flow(value: str) -> str:
    seq = CommentedSeq([value])
    seq.fa.set_flow_style()
    out = io.StringIO()
    yaml = YAML()
    yaml.width = 1 << 30
    yaml.dump(CommentedMap([("k", seq)]), out)
    return out.getvalue()


@settings(max_examples=1500)
@given(yamlish)
def test_format_string_matches_ruamel_block_style(value):
    assert f"k: {format_string(value)}\n".replace("k: \n", "k:\n") == ruamel_block(value)


@settings(max_examples=800)
@given(yamlish.filter(lambda s: s != ""))
def test_format_string_matches_ruamel_flow_style(value):
    assert f"k: [{format_string(value, flow=True)}]\n" == ruamel_flow(value)


KNOWN = ["2026-11-21T04:55:15Z", "#42 fix", "a: b", "null", "yes", "12:30", "0b01", "12e8",
         "5092", "", "it's", 'say "hi"', "-x", "?x", "café", "~", " lead", "trail ",
         "line1\nline2", "tab\there", "a,b", "x]", "- x", "---", "a #b", "a#b", ":", "?"]


@pytest.mark.parametrize("value", KNOWN)
def test_format_string_matches_ruamel_on_known_cases(value):
    test_format_string_matches_ruamel_block_style.hypothesis.inner_test(value)
    if value:
        test_format_string_matches_ruamel_flow_style.hypothesis.inner_test(value)


@pytest.mark.parametrize("char", list(BREAKS))
def test_format_string_double_quotes_unicode_line_breaks(char):
    # ruamel writes these raw inside single quotes, splitting the op's tagged line; htrac doesn't.
    text = format_string(f"a{char}b")
    assert text.startswith('"') and char not in text


@settings(max_examples=1500)
@given(st.text(alphabet=st.sampled_from(list("0123456789abcdefx_+-.eEoObBinfINFaTtrueFls~NUL")),
               max_size=8))
def test_resolve_plain_agrees_with_ruamel_yaml_1_2(text):
    try:
        loaded = YAML(typ="safe", pure=True).load(f"k: {text}\n")
    except (YAMLError, ValueError):
        return  # not a plain scalar at all, or one ruamel itself can't construct
    if not isinstance(loaded, dict):
        return
    expected = loaded["k"]
    if isinstance(expected, (str, int, bool, float)) or expected is None:
        got = resolve_plain(text)
        if isinstance(expected, float) and expected != expected:
            assert got != got
        else:
            assert got == expected and type(got) is type(expected)


@pytest.mark.parametrize("text", ["on", "yes", "no", "off", "12:30", "1:2:3", "y", "NO"])
def test_resolve_plain_keeps_yaml_1_1_words_as_strings(text):
    assert resolve_plain(text) == text


@pytest.mark.parametrize("value,expected", [
    (None, ""), (True, "true"), (False, "false"), (0, "0"), (-12, "-12"), ("x", "x"),
])
def test_format_scalar_writes_plain_values(value, expected):
    assert format_scalar(value) == expected


def test_format_scalar_forced_double_quotes_escape_like_ruamel():
    text = "multi\nline \"quoted\" 'single' café — 日本 😀\ttab\x01\x7f\x85\u2028\ufeff\\"
    assert format_scalar(text, force_double=True) == (
        '"multi\\nline \\"quoted\\" \'single\' café — 日本 😀\\ttab\\x01\\x7F\\N\\L\\uFEFF\\\\"')
