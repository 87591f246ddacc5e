"""One rule for text people type (issue 25): what a field takes and how it is kept.

Refused, with a message next to the field: C0 control characters (a multi-line field keeps tab, LF and CR), DEL and
C1, the line and paragraph separators U+2028/U+2029 (in a one-line field), and the bidirectional overrides and
isolates (U+202A–U+202E, U+2066–U+2069) that make a name read differently from what it is. Kept: the text trimmed
and in Unicode normal form C, so "海润" typed two ways is one name."""

from __future__ import annotations

import unicodedata

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
SEPARATORS = frozenset("\u2028\u2029")
MULTILINE_ALLOWED = frozenset("\t\n\r")


def text_problem(value: str, multiline: bool = False) -> str | None:
    """Why ``value`` cannot be taken (None: it can)."""
    for char in value:
        if char in BIDI_CONTROLS:
            return "不能包含改变文字方向的控制字符"
        if multiline and char in MULTILINE_ALLOWED:
            continue
        if char in SEPARATORS or (multiline is False and char in "\n\r"):
            return "不能换行" if not multiline else "不能包含控制字符"
        if unicodedata.category(char) == "Cc":
            return "不能包含空字符" if char == "\x00" else "不能包含控制字符"
    return None


def normalised(value: str) -> str:
    """The text as it is kept: Unicode normal form C, without surrounding spaces."""
    return unicodedata.normalize("NFC", value).strip()
