"""The rules of the shared value types, written as JSON Schema patterns for the OpenAPI documents.

A rule checked in Python (the plain-text rule, national IDs, ward codes, the days and moments
callers name) is also written here as a regular expression, so that a client, and schemathesis,
know exactly which strings the server takes. Each pattern is built from the same data the check
uses (`unicodedata` of this Python, the ward list), and tests/unit/test_value_patterns.py checks
that pattern and check agree. The character classes use `\\uXXXX` and `\\UXXXXXXXX` escapes,
which Python's `re`, Rust's `regex` (pydantic, jsonschema-rs) and schemathesis all read.

`Documented(...)` puts such keywords into a type's JSON Schema without making pydantic check
them a second time (the Python check keeps its own error codes).
"""

from __future__ import annotations

import sys
import unicodedata
from collections.abc import Iterable
from functools import cache
from typing import Any

from pydantic import GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema as cs

from libs.contracts.jsontypes import JsonObject

HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})
ALLOWED_CONTROLS = "\t\n"
MAX_MARKS = 3


class Documented:
    """Annotation: JSON Schema keywords added to (or, with `replace`, instead of) what pydantic
    writes for the type; a keyword given as None is taken out. A callable value is called when
    a schema is generated, so costly patterns are built only for the OpenAPI documents."""

    def __init__(self, replace: bool = False, **keywords: Any) -> None:
        self.replace = replace
        self.keywords = keywords

    def __get_pydantic_json_schema__(self, schema: cs.CoreSchema,
                                     handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        generated = handler(schema)
        values = {key: value() if callable(value) else value for key, value in self.keywords.items()}
        if self.replace:
            kept: JsonObject = {key: generated[key] for key in
                                    ("description", "examples", "title") if key in generated}
            return {**{k: v for k, v in values.items() if v is not None}, **kept}
        merged = {**generated, **values}
        return {key: value for key, value in merged.items() if value is not None}

    def __hash__(self) -> int:
        return id(self)


def _escape(code: int) -> str:
    return f"\\u{code:04X}" if code <= 0xFFFF else f"\\U{code:08X}"


def ranges(codes: Iterable[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for code in sorted(set(codes)):
        if out and code == out[-1][1] + 1:
            out[-1] = (out[-1][0], code)
        else:
            out.append((code, code))
    return out


def char_class(codes: Iterable[int], negate: bool = False) -> str:
    """A regular-expression character class of `codes`, every member escaped."""
    body = "".join(_escape(low) if low == high else f"{_escape(low)}-{_escape(high)}"
                   for low, high in ranges(codes))
    return f"[{'^' if negate else ''}{body}]"


@cache
def _unicode() -> dict[str, frozenset[int]]:
    """Code points by the role they play in the plain-text rule, from this Python's Unicode."""
    hidden, marks, spaces, expanding, letters = set(), set(), set(), set(), set()
    for code in range(sys.maxunicode + 1):
        ch = chr(code)
        category = unicodedata.category(ch)
        if category in HIDDEN_CATEGORIES and ch not in ALLOWED_CONTROLS:
            hidden.add(code)
            continue
        if ch.isspace():
            spaces.add(code)
        nfc = unicodedata.normalize("NFC", ch)
        # NFC makes a few characters more marks than they count as: a mark becomes two, a
        # letter or a symbol a letter and a mark (U+0958, U+0F73 …, 85 in all). The pattern
        # leaves them out rather than count them.
        made = sum(1 for part in nfc if unicodedata.category(part).startswith("M"))
        if made > (1 if category.startswith("M") else 0):
            expanding.add(code)
        elif category.startswith("M"):
            marks.add(code)
        elif category.startswith("L"):
            letters.add(code)
    return {"hidden": frozenset(hidden), "marks": frozenset(marks),
            "expanding": frozenset(expanding), "spaces": frozenset(spaces),
            "letters": frozenset(letters)}


def hidden_codes() -> frozenset[int]:
    """The hidden characters of the plain-text rule, without the surrogates no pattern holds."""
    return _unicode()["hidden"] - frozenset(range(0xD800, 0xE000))


# Names of the formats of the texts whose patterns are long (JSON Schema: annotations, which
# validators ignore). They let a generator that knows them draw such texts cheaply, as the
# schemathesis test does; the pattern still says exactly what is taken.
PLAIN_TEXT, PERSON_NAME, EMAIL = "plain-text", "person-name", "email-address"


@cache
def plain_text_pattern() -> str:
    """What `values.plain_text` takes: no hidden character (control, format, surrogate,
    private-use, line or paragraph separator; tab and newline allowed) and at most MAX_MARKS
    combining marks in a row. (Stricter than the check only for the 85 characters NFC makes
    more marks of, and for marks NFC composes away.)"""
    u = _unicode()
    surrogates = set(range(0xD800, 0xE000))  # no JSON string holds one; no engine takes them
    marks = char_class(u["marks"])
    base = char_class((u["hidden"] - surrogates) | u["marks"] | u["expanding"], negate=True)
    return f"^{marks}{{0,{MAX_MARKS}}}(?:{base}{marks}{{0,{MAX_MARKS}}})*$"


@cache
def name_pattern() -> str:
    """A person's name as typed, the way the name rules take it: letters (each with at most
    MAX_MARKS combining marks), apostrophes and hyphens, the first a letter, at least two of
    them; any white space between them (and around), which is made a single space."""
    u = _unicode()
    space = f"[{whitespace(False)}]*"
    marks = f"{char_class(u['marks'])}{{0,{MAX_MARKS}}}"
    letter = char_class(u["letters"])
    part = char_class(u["letters"] | {ord("'"), ord("-")})
    return f"^{space}{letter}{marks}(?:{space}{part}{marks})+{space}$"


@cache
def two_visible() -> str:
    """(Unanchored) two characters that are neither white space nor combining marks: what a
    text trimmed and joined keeps of at least two characters."""
    u = _unicode()
    other = char_class(u["marks"] | u["expanding"] | u["spaces"] | hidden_codes(),
                       negate=True)
    return f"{other}[\\s\\S]*{other}"


def spaced(atoms: Iterable[str], separators: str) -> str:
    """A pattern of `atoms` (each one character class or group, with its own quantifier
    applied to "it and the separators after it") where any of `separators` (class members)
    may stand before, between and after them, the way a rule that drops them reads text."""
    s = f"[{separators}]*"
    body = ""
    for atom in atoms:
        unit, _, times = atom.partition("@")
        body += f"(?:{unit}{s}){times}" if times else f"{unit}{s}"
    return f"^{s}{body}$"


@cache
def whitespace(plain: bool) -> str:
    """The members of a class of the characters Python's `\\s` matches (the ones the plain-text
    rule also allows, when `plain`), without brackets."""
    u = _unicode()
    codes = u["spaces"] if plain else u["spaces"] | {c for c in u["hidden"] if chr(c).isspace()}
    return char_class(codes)[1:-1]


def national_id_pattern(separators: str) -> str:
    """A CCCD (12 digits, the first three a province code 001–096) or a CMND (9 digits), with
    any of `separators` (class members) anywhere between, as typed."""
    s = f"[{separators}]*"
    digit = f"[0-9]{s}"
    province = f"0{s}(?:0{s}[1-9]|[1-8]{s}[0-9]|9{s}[0-6]){s}"
    return f"^{s}(?:(?:{digit}){{9}}|{province}(?:{digit}){{9}})$"


def digit_trie(words: Iterable[str]) -> str:
    """A compact alternation matching exactly `words` (strings of ASCII digits)."""
    trie: JsonObject = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: JsonObject) -> str:
        leaves = "".join(k for k, v in sorted(node.items()) if k and list(v) == [""])
        parts = [k + emit(v) for k, v in sorted(node.items()) if k and list(v) != [""]]
        if leaves:
            parts.append(leaves if len(leaves) == 1 else f"[{leaves}]")
        body = parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"
        if "" in node and parts:
            body = f"(?:{body})?"
        return body if parts else ""

    return emit(trie)


def ward_code_pattern(codes: Iterable[int]) -> str:
    """Ward codes as `values.normalise_ward_code` takes them: the 5 digits, or fewer with the
    leading zeros left out."""
    by_length: dict[int, list[str]] = {}
    for code in codes:
        by_length.setdefault(len(str(code)), []).append(str(code))
    parts = [f"0{{0,{5 - length}}}{digit_trie(sorted(words))}" if length < 5
             else digit_trie(sorted(words)) for length, words in sorted(by_length.items())]
    return "^(?:" + "|".join(parts) + ")$"


def not_before(first: str) -> str:
    """Dates written YYYY-MM-DD (a fixed-width text, so order of text is order of time) on or
    after `first`: to go with DATE_PATTERN, which says which texts are dates."""
    digits = [i for i, ch in enumerate(first) if ch.isdigit()]
    alternatives = [first]
    for i in digits:
        if first[i] == "9":
            continue
        rest = "".join("[0-9]" if ch.isdigit() else ch for ch in first[i + 1:])
        alternatives.append(f"{first[:i]}[{int(first[i]) + 1}-9]{rest}")
    return "^(?:" + "|".join(alternatives) + ")$"


# Days and moments callers name: the ISO 8601 forms the server reads, years 1900–2199, and
# only days the calendar has (29 February in leap years).
_YEAR = "(?:19|20|21)[0-9]{2}"
_LEAP = "(?:(?:19|20|21)(?:0[48]|[2468][048]|[13579][26])|2000)"
_MONTH_DAY = ("(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
              "|02-(?:0[1-9]|1[0-9]|2[0-8]))")
DATE = f"(?:{_YEAR}-{_MONTH_DAY}|{_LEAP}-02-29)"
_HOUR = "(?:[01][0-9]|2[0-3])"
_CLOCK = f"{_HOUR}:[0-5][0-9](?::[0-5][0-9](?:\\.[0-9]{{1,6}})?)?"
_OFFSET = f"(?:Z|[+-]{_HOUR}:[0-5][0-9])"
DAY_PATTERN = f"^{DATE}$"
DAY = {"type": "string", "format": "date", "pattern": DAY_PATTERN}
MOMENT_PATTERN = f"^{DATE}T{_CLOCK}{_OFFSET}?$"
ZONED_MOMENT_PATTERN = f"^{DATE}T{_CLOCK}{_OFFSET}$"
