"""The one loader every JSON request body goes through: JSON in, a value or a clear refusal."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from expense_tracker.services.validation import (
    JSON_MAX_DEPTH,
    JSON_NUMBER_MAX,
    FieldError,
    load_json,
)

# What a sound client sends: any JSON, within the loader's limits.
sound_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(alphabet=st.characters(blacklist_categories=("Cs",))),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(alphabet=st.characters(blacklist_categories=("Cs",))), children)
    ),
    max_leaves=20,
)


@given(value=sound_values, ensure_ascii=st.booleans())
def test_sound_json_is_read_as_json_loads_reads_it(value, ensure_ascii):
    text = json.dumps(value, ensure_ascii=ensure_ascii)

    assert load_json(text) == value
    assert load_json(text.encode()) == value


@given(
    text=st.text(alphabet=st.sampled_from('[]{}",:0123456789.eE-\\u d8 tfnaNI')) | st.text(),
    prefix=st.sampled_from(["", "[" * 40, '{"a":' * 40, "9" * 5000]),
)
def test_any_text_is_either_read_or_refused_with_a_message(text, prefix):
    try:
        load_json(prefix + text)
    except FieldError as error:
        assert str(error)


@given(raw=st.binary())
def test_any_bytes_are_either_read_or_refused_with_a_message(raw):
    try:
        load_json(raw)
    except FieldError as error:
        assert str(error)


@pytest.mark.parametrize("opening", ["[", '{"a":'])
def test_nesting_is_allowed_to_the_limit_and_refused_past_it(opening):
    closing = "]" if opening == "[" else "}"

    assert load_json(opening * JSON_MAX_DEPTH + "1" + closing * JSON_MAX_DEPTH) is not None
    with pytest.raises(FieldError, match="nested at most 32 levels"):
        load_json(opening * (JSON_MAX_DEPTH + 1) + "1" + closing * (JSON_MAX_DEPTH + 1))


def test_brackets_inside_strings_are_not_nesting():
    text = json.dumps(["[" * 1000, '\\"{' * 1000, "}" * 1000])

    assert load_json(text) == ["[" * 1000, '\\"{' * 1000, "}" * 1000]


@pytest.mark.parametrize(
    "number", ["9" * (JSON_NUMBER_MAX + 1), "9" * 5000, "0." + "1" * 5000, "-" + "9" * 4400]
)
def test_numbers_longer_than_the_limit_are_refused(number):
    with pytest.raises(FieldError, match="numbers of at most 40 characters"):
        load_json('{"amount": ' + number + "}")


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e999999", "-1e400"])
def test_numbers_json_does_not_have_are_refused(number):
    with pytest.raises(FieldError, match="JSON number"):
        load_json(f"[{number}]")


def test_a_number_at_the_limit_is_read():
    assert load_json("9" * JSON_NUMBER_MAX) == int("9" * JSON_NUMBER_MAX)
    assert math.isclose(load_json("1e308"), 1e308)


@pytest.mark.parametrize(
    "text",
    [
        r'"\ud800"',
        r'"\udfff"',
        r'{"\ud83d": 1}',
        r'["ok", {"deep": ["\ude00x"]}]',
        r'"\ude00\ud83d"',
        '"\ud800"',
    ],
)
def test_a_lone_surrogate_anywhere_is_refused(text):
    with pytest.raises(FieldError, match="lone surrogate"):
        load_json(text)


def test_a_whole_surrogate_pair_is_one_character():
    assert load_json(r'"\ud83d\ude00"') == "\U0001f600"


@pytest.mark.parametrize("raw", [b"\xff", b'"\xed\xa0\x80"', "{", "", "[1,]", "{'a': 1}"])
def test_what_is_not_json_in_utf_8_is_refused(raw):
    with pytest.raises(FieldError):
        load_json(raw)
