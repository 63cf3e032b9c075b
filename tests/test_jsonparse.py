"""What models actually write when asked for JSON, and what remem reads out of it."""

from __future__ import annotations

import pytest

from remem.llm.jsonparse import JSONNotFound, JSONTruncated, extract_json


def test_clean_json_is_read_as_is() -> None:
    assert extract_json('{"facts": [{"text": "Ana lives in Porto"}]}') == {"facts": [{"text": "Ana lives in Porto"}]}
    assert extract_json("[1, 2, 3]") == [1, 2, 3]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('```json\n{"n": 1}\n```', {"n": 1}),
        ('```\n{"n": 2}\n```', {"n": 2}),
        ('Here you go:\n```JSON\n{"n": 3}\n```\nLet me know!', {"n": 3}),
        ('```json\n{"draft": true,\n```\nOops, again:\n```json\n{"n": 4}\n```', {"n": 4}),
    ],
)
def test_code_fences_are_unwrapped(text: str, expected: object) -> None:
    assert extract_json(text) == expected


def test_prose_around_the_json_is_ignored() -> None:
    text = 'Sure! Based on the conversation, here are the facts: {"n": [1, 2]} Hope that helps {:)'
    assert extract_json(text) == {"n": [1, 2]}


def test_brackets_in_prose_before_the_answer_do_not_win() -> None:
    text = 'I checked turns [1] and [2] {as asked}. Answer: {"turn": 2}'
    assert extract_json(text, expect="object") == {"turn": 2}
    # Without a kind to look for, the first complete value is the honest answer.
    assert extract_json(text) == [1]


def test_a_trailing_comma_is_forgiven_but_not_inside_strings() -> None:
    assert extract_json('{"tags": ["a", "b",], "n": 1,}') == {"tags": ["a", "b"], "n": 1}
    assert extract_json('{"text": "list: a,]", "n": 1,}') == {"text": "list: a,]", "n": 1}


def test_smart_quotes_used_as_delimiters_become_json_quotes() -> None:
    assert extract_json("{\u201cname\u201d: \u201cAna\u201d}") == {"name": "Ana"}
    # A quote inside a smart-quoted string stays part of the text.
    assert extract_json('{\u201csaid\u201d: \u201che said "hi"\u201d}') == {"said": 'he said "hi"'}


def test_smart_quotes_inside_valid_json_are_content_and_kept() -> None:
    assert extract_json('{"text": "She said \u201cyes\u201d and it\u2019s done"}') == {
        "text": "She said \u201cyes\u201d and it\u2019s done"
    }


def test_raw_newlines_inside_strings_are_accepted() -> None:
    assert extract_json('{"summary": "line one\nline two"}') == {"summary": "line one\nline two"}


def test_reasoning_blocks_are_dropped_even_when_they_hold_braces() -> None:
    assert extract_json('<think>Maybe {"n": 0}? No, [1] is wrong.</think>\n{"n": 5}') == {"n": 5}
    # Some chat templates open <think> in the prompt; the answer then holds only the closing tag.
    assert extract_json('they said {x} so...</think>{"n": 6}') == {"n": 6}


def test_a_top_level_array_and_an_object_are_both_answers() -> None:
    assert extract_json('[{"text": "a"}, {"text": "b"}]') == [{"text": "a"}, {"text": "b"}]
    assert extract_json('[{"text": "a"}]', expect="array") == [{"text": "a"}]


def test_the_wrong_kind_is_reported_not_unwrapped() -> None:
    with pytest.raises(JSONNotFound, match="expected a JSON object but the answer holds a JSON array"):
        extract_json('[{"n": 1}]', expect="object")


def test_truncated_output_is_reported_and_never_shrunk_to_a_smaller_value() -> None:
    # The first fact is complete; returning it would silently drop the rest of the answer.
    with pytest.raises(JSONTruncated, match="cut off"):
        extract_json('{"facts": [{"text": "Ana moved"}, {"text": "She adopted a c')
    with pytest.raises(JSONTruncated, match="cut off"):
        extract_json('```json\n{"facts": [1, 2')
    with pytest.raises(JSONTruncated, match="<think>"):
        extract_json("<think>First, the user said they moved to Porto, so")


def test_truncated_is_a_kind_of_not_found_so_callers_can_catch_broadly() -> None:
    assert issubclass(JSONTruncated, JSONNotFound) and issubclass(JSONNotFound, ValueError)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("   \n", "empty"),
        ("I'm sorry, I cannot help with that.", "no JSON"),
        ("<think>nothing useful</think>", "only reasoning"),
        ("{name: 'Ana'}", "invalid JSON: Expecting property name"),
        ('{"n": 1 "m": 2}', "invalid JSON: Expecting ',' delimiter"),
    ],
)
def test_unusable_answers_say_why(text: str, reason: str) -> None:
    with pytest.raises(JSONNotFound, match=reason) as caught:
        extract_json(text)
    assert not isinstance(caught.value, JSONTruncated)


def test_a_broken_object_is_not_mined_for_a_nested_value() -> None:
    with pytest.raises(JSONNotFound, match="invalid JSON"):
        extract_json('{"facts": [{"text": "ok"}], "count": undefined}')


def test_not_a_string_is_refused_plainly() -> None:
    with pytest.raises(JSONNotFound, match="empty"):
        extract_json(None)  # type: ignore[arg-type]
