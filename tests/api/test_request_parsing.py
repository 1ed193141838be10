"""Body and query parsing (rest-api.md §1.2), and how parsed bodies meet the validators."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chatport.api.request_parsing import QueryParseError, parse_body, parse_query
from chatport.api.validation import ValidationFailure, validate

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"

BODY_CASES: list[tuple[str, str | None, bytes, Any]] = [
    # application/json
    ("json object", JSON, b'{"a":1,"b":[true,null]}', {"a": 1, "b": [True, None]}),
    ("json with charset", "application/json; charset=utf-8", b'{"a":"\xc3\xa9"}', {"a": "é"}),
    ("json suffix type", "application/json-patch+json", b'{"a":1}', {"a": 1}),
    ("json float", JSON, b'{"a":5.0}', {"a": 5.0}),
    ("json array stays", JSON, b"[1,2]", [1, 2]),
    ("json empty array", JSON, b"[]", []),
    ("json null", JSON, b"null", {}),
    ("json number", JSON, b"5", {}),
    ("json true", JSON, b"true", {}),
    ("json false", JSON, b"false", {}),
    ("json string spreads", JSON, b'"ab"', {"0": "a", "1": "b"}),
    ("json empty string", JSON, b'""', {}),
    ("json empty body", JSON, b"", {}),
    ("json whitespace body", JSON, b"  \n", {}),
    ("json invalid", JSON, b"{a:1}", {}),
    ("json trailing garbage", JSON, b'{"a":1}x', {}),
    ("json NaN is not JSON", JSON, b'{"a":NaN}', {}),
    ("json Infinity is not JSON", JSON, b"[Infinity]", {}),
    ("json leading BOM", JSON, b'\xef\xbb\xbf{"a":1}', {"a": 1}),
    ("json invalid utf-8 replaced", JSON, b'{"a":"\xff"}', {"a": "\ufffd"}),
    ("json duplicate keys", JSON, b'{"a":1,"b":2,"a":3}', {"a": 3, "b": 2}),
    ("json deeply nested", JSON, b"[" * 100_000 + b"]" * 100_000, {}),
    # application/x-www-form-urlencoded
    ("form flat", FORM, b"a=1&b=x+y&c=%41%C3%A9", {"a": "1", "b": "x y", "c": "Aé"}),
    ("form repeated last wins", FORM, b"a=1&b=2&a=3", {"a": "3", "b": "2"}),
    ("form no nesting", FORM, b"a[b]=1", {"a[b]": "1"}),
    ("form no equals", FORM, b"flag", {"flag": ""}),
    ("form empty parts", FORM, b"&&a=1&", {"a": "1"}),
    ("form equals in value", FORM, b"a=b=c", {"a": "b=c"}),
    ("form bad escape literal", FORM, b"a=%zz%4", {"a": "%zz%4"}),
    ("form invalid utf-8", FORM, b"a=%ff", {"a": "\ufffd"}),
    ("form empty", FORM, b"", {}),
    ("form json-looking", FORM, b'{"a":1}', {'{"a":1}': ""}),
    # multipart/form-data is never parsed
    ("multipart", "multipart/form-data; boundary=x", b"--x\r\n...", {}),
    ("multipart empty", "multipart/form-data", b"", {}),
    # anything else: raw text
    ("no content type", None, b"hello", {"0": "h", "1": "e", "2": "l", "3": "l", "4": "o"}),
    ("text json is text", "text/plain", b'{"a":1}', {str(i): c for i, c in enumerate('{"a":1}')}),
    ("media type is case-sensitive", "Application/JSON", b"{}", {"0": "{", "1": "}"}),
    ("text empty", "text/plain", b"", {}),
    ("no type empty", None, b"", {}),
    ("empty content type", "", b"", {}),
    ("text only BOM", None, b"\xef\xbb\xbf", {}),
    ("text invalid utf-8", None, b"\xff", {"0": "\ufffd"}),
    ("text astral", None, "\U0001f600".encode(), {"0": "\U0001f600"}),
]


@pytest.mark.parametrize(
    ("content_type", "raw", "expected"),
    [case[1:] for case in BODY_CASES],
    ids=[case[0] for case in BODY_CASES],
)
def test_parse_body(content_type: str | None, raw: bytes, expected: Any) -> None:
    result = parse_body(content_type, raw)
    assert result == expected
    assert type(result) is type(expected)


def test_json_keeps_exact_integers_and_survives_huge_ones() -> None:
    assert parse_body(JSON, b'{"a":12345678901234567890}') == {"a": 12345678901234567890}
    huge = parse_body(JSON, b'{"a":' + b"9" * 5000 + b"}")
    assert huge == {"a": float("inf")}


def test_text_spread_is_bounded() -> None:
    spread = parse_body("text/plain", b"x" * 1_000_000)
    assert isinstance(spread, dict)
    assert 0 < len(spread) <= 64
    assert spread["0"] == "x"


# What a client sees when its body parses into something other than an object.
VALIDATION_OF_PARSED: list[tuple[str | None, bytes, dict[str, Any], str | None]] = [
    (
        None,
        b"fileUrl=x",
        {
            "type": "object",
            "properties": {"fileUrl": {"type": "string"}},
            "required": ["fileUrl"],
            "additionalProperties": False,
        },
        "must have required property 'fileUrl'",
    ),
    (
        "text/plain",
        b"x",
        {"type": "object", "properties": {}, "additionalProperties": False},
        "must NOT have additional properties",
    ),
    (
        "text/plain",
        b"",
        {"type": "object", "properties": {}, "additionalProperties": False},
        None,
    ),
    (JSON, b"[]", {"type": "object", "properties": {}}, "must be object"),
    (JSON, b"null", {"type": "object", "properties": {}, "additionalProperties": False}, None),
    (
        FORM,
        b"fileUrl=x&importerKey=csv",
        {
            "type": "object",
            "properties": {"fileUrl": {"type": "string"}, "importerKey": {"type": "string"}},
            "required": ["fileUrl", "importerKey"],
            "additionalProperties": False,
        },
        None,
    ),
]


@pytest.mark.parametrize(("content_type", "raw", "schema", "expected"), VALIDATION_OF_PARSED)
def test_parsed_bodies_meet_validation_like_upstream(
    content_type: str | None, raw: bytes, schema: dict[str, Any], expected: str | None
) -> None:
    body = parse_body(content_type, raw)
    try:
        validate(schema, body)
    except ValidationFailure as failure:
        assert failure.message == expected
    else:
        assert expected is None


@given(
    st.one_of(st.none(), st.sampled_from([JSON, FORM, "multipart/form-data", "text/plain"])),
    st.binary(),
)
def test_parse_body_never_raises(content_type: str | None, raw: bytes) -> None:
    assert isinstance(parse_body(content_type, raw), dict | list)


QUERY_CASES: list[tuple[str, str, dict[str, Any]]] = [
    ("empty", "", {}),
    ("flat", "a=1&b=2", {"a": "1", "b": "2"}),
    ("repeated key", "a=1&a=2&a=3", {"a": ["1", "2", "3"]}),
    ("nested", "a[b]=c", {"a": {"b": "c"}}),
    ("nested deeper", "a[b][c]=d&a[b][e]=f", {"a": {"b": {"c": "d", "e": "f"}}}),
    ("append brackets", "a[]=1&a[]=2", {"a": ["1", "2"]}),
    ("indices", "a[0]=x&a[1]=y", {"a": ["x", "y"]}),
    ("indices out of order", "a[1]=y&a[0]=x", {"a": ["x", "y"]}),
    ("sparse indices compact", "a[5]=x&a[2]=y", {"a": ["y", "x"]}),
    ("index over limit is a key", "a[21]=x", {"a": {"21": "x"}}),
    ("non-canonical index is a key", "a[01]=x", {"a": {"01": "x"}}),
    (
        "objects in arrays",
        "a[0][n]=1&a[0][m]=2&a[1][n]=3",
        {"a": [{"n": "1", "m": "2"}, {"n": "3"}]},
    ),
    ("same index twice appends", "a[0]=x&a[0]=y", {"a": ["x", "y"]}),
    ("plain then brackets", "a=1&a[]=2", {"a": ["1", "2"]}),
    ("brackets then plain", "a[]=1&a=2", {"a": ["1", "2"]}),
    ("nested repeat", "a[b]=1&a[b]=2", {"a": {"b": ["1", "2"]}}),
    ("object meets index", "a[x]=1&a[0]=2", {"a": {"x": "1", "0": "2"}}),
    ("scalar then object", "a=1&a[b]=2", {"a": ["1", {"b": "2"}]}),
    ("object then scalar", "a[b]=2&a=1", {"a": [{"b": "2"}, "1"]}),
    ("plus is space", "q=hello+world", {"q": "hello world"}),
    ("percent decoding", "q=%2B%20%C3%A9%F0%9F%98%80", {"q": "+ é\U0001f600"}),
    ("encoded brackets nest", "a%5Bb%5D=c", {"a": {"b": "c"}}),
    ("no equals", "flag", {"flag": ""}),
    ("no equals in brackets", "a[]", {"a": [""]}),
    ("empty value", "a=", {"a": ""}),
    ("equals in value", "a=b=c", {"a": "b=c"}),
    ("bracket equals split", "a[b=c]=d", {"a": {"b=c": "d"}}),
    ("empty pairs skipped", "&a=1&&", {"a": "1"}),
    ("empty name skipped", "=x&a=1", {"a": "1"}),
    ("five levels", "a[b][c][d][e][f]=1", {"a": {"b": {"c": {"d": {"e": {"f": "1"}}}}}}),
    ("prototype names kept", "toString=1", {"toString": "1"}),
    ("spaces in names", "a+b[c d]=1", {"a b": {"c d": "1"}}),
    ("raw non-ascii", "q=é", {"q": "é"}),
]


@pytest.mark.parametrize(
    ("query", "expected"),
    [case[1:] for case in QUERY_CASES],
    ids=[case[0] for case in QUERY_CASES],
)
def test_parse_query(query: str, expected: dict[str, Any]) -> None:
    assert parse_query(query) == expected


BAD_QUERIES: list[tuple[str, str]] = [
    ("invalid utf-8", "a=%ff"),
    ("truncated utf-8", "a=%C3"),
    ("overlong utf-8", "a=%C0%AF"),
    ("encoded surrogate", "a=%ED%A0%80"),
    ("bad hex", "a=%zz"),
    ("lone percent", "a=100%"),
    ("short escape", "a=%4"),
    ("bad escape in name", "%E0=1"),
    ("unclosed bracket", "a[b=1"),
    ("stray closing bracket", "a]=1"),
    ("trailing text after bracket", "a[b]c=1"),
    ("nested brackets", "a[[b]]=1"),
    ("no name before bracket", "[a]=1"),
    ("encoded unclosed bracket", "a%5Bb=1"),
    ("too deep", "a[b][c][d][e][f][g]=1"),
    ("too many parameters", "&".join(f"k{i}=v" for i in range(1001))),
]


@pytest.mark.parametrize(
    "query", [case[1] for case in BAD_QUERIES], ids=[c[0] for c in BAD_QUERIES]
)
def test_parse_query_rejects(query: str) -> None:
    with pytest.raises(QueryParseError):
        parse_query(query)


def test_query_error_is_a_value_error() -> None:
    assert issubclass(QueryParseError, ValueError)


def test_thousand_parameters_are_fine() -> None:
    assert len(parse_query("&".join(f"k{i}=v" for i in range(1000)))) == 1000


def test_query_meets_the_no_query_keys_schema() -> None:
    schema = {"type": "object", "properties": {}, "additionalProperties": False}
    assert validate(schema, parse_query(""), coerce=True) == {}
    with pytest.raises(ValidationFailure) as raised:
        validate(schema, parse_query("any=test"), coerce=True)
    assert raised.value.message == "must NOT have additional properties"


names = st.text(st.characters(exclude_characters="[]", exclude_categories=("Cs",)), min_size=1)
values = st.text(st.characters(exclude_categories=("Cs",)))


@given(st.dictionaries(names, values | st.lists(values, min_size=2, max_size=4), max_size=5))
def test_encoded_flat_queries_round_trip(params: dict[str, str | list[str]]) -> None:
    pairs = [
        f"{quote(name, safe='')}={quote(value, safe='')}"
        for name, value_or_list in params.items()
        for value in ([value_or_list] if isinstance(value_or_list, str) else value_or_list)
    ]
    assert parse_query("&".join(pairs)) == params


@given(st.text(max_size=40))
def test_parse_query_raises_only_its_own_error(query: str) -> None:
    try:
        result = parse_query(query)
    except QueryParseError:
        return
    assert isinstance(result, dict)
