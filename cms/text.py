"""Text as a reader sees it: which characters are invisible, and what is left without them.

Format characters (Unicode category Cf: zero-width space U+200B, joiners U+200C/U+200D, word joiner
U+2060, BOM U+FEFF, bidi marks, soft hyphen) and control characters (Cc) show nothing on screen. Search
removes them before indexing and querying (``zhunru.search.analysis.normalize``); forms count only what
is left when they decide whether a required field was filled in or a text is long enough
(``zhunru.portal.forms.VisibleCharField``), so a field of nothing but zero-width characters is empty.
"""

import re
import unicodedata

# Control characters that are whitespace: they become spaces, never join the words around them.
WHITESPACE_CONTROLS = "\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85"


def _invisible_table() -> dict[int, str | None]:
    """Format (Cf) and control (Cc) characters: removed, except the whitespace controls, which become spaces."""
    table: dict[int, str | None] = {}
    for cp in list(range(0x10000)) + list(range(0xE0000, 0xE0080)):
        category = unicodedata.category(chr(cp))
        if category in ("Cf", "Cc"):
            table[cp] = " " if chr(cp) in WHITESPACE_CONTROLS else None
    return table


INVISIBLE = _invisible_table()
_BLANK = "[\\s" + "".join(re.escape(chr(cp)) for cp in INVISIBLE) + "]+"
_EDGES = re.compile(f"^{_BLANK}|{_BLANK}$")


def strip_invisible(text: str) -> str:
    """``text`` without its invisible characters (whitespace controls become spaces)."""
    return (text or "").translate(INVISIBLE)


def strip_edges(text: str) -> str:
    """``text`` without whitespace and invisible characters at either end; what is between stays as typed."""
    return _EDGES.sub("", text or "")


def visible_length(text: str) -> int:
    """How many characters of ``text`` show on screen: neither invisible nor whitespace."""
    return sum(1 for ch in strip_invisible(text) if not ch.isspace())
