"""Words for the page: text from outside shown as text, numbers with the digits they need, errors in plain words."""

import re
from typing import Any

import streamlit as st

from mnistcore.errors import DataError

MARKUP = re.compile(r"([\\`*_\[\]<>!|~$#{}@])")  # what can open a link, image, code span, tag, heading, math or mail link


ZWSP = "\u200b"  # an invisible break: Streamlit's Markdown links bare addresses even when their marks are escaped


def plain(text: Any) -> str:
    """`text` shown as itself in Markdown, on one line: every mark that can start a link, image, code span, tag,
    heading or formula escaped (CommonMark lets any punctuation be escaped with a backslash), and bare addresses
    (http://, www., name@host) broken by an invisible space, since GFM links those whatever is escaped
    (tests/browser/test_hostile_text.py shows it in Chromium). Streamlit's own codes (`:skull:` an emoji, `:material/home:`
    an icon, `:red[...]` a colour) are broken the same way, after their colon: a backslash would not do, since the
    emoji plugin reads the text after escapes are undone, and the icons are found in the raw text before parsing.
    Ordinary words, colons and dashes read unchanged."""
    escaped = MARKUP.sub(r"\\\1", str(text)).replace("\r", " ").replace("\n", " ")
    escaped = re.sub(r":(?=//)", ":" + ZWSP, escaped)  # after the scheme's colon: no autolink
    # before a code's name (":skull:", ":material/home:", ":red[...]"): no emoji, icon or colour; "10:15" reads as typed
    escaped = re.sub(r":(?=[\w+\-]+(?:[:/]|\\\[))", ":" + ZWSP, escaped)  # "[" is escaped by now: "\["
    escaped = re.sub(r"(?i)\b(www)\.", r"\1" + ZWSP + ".", escaped)  # between www and its dot
    return escaped.replace("\\@", ZWSP + "\\@")  # before the @ of an e-mail address


NUMBER = re.compile(r"[-+−]?[\d,]*\.?\d+(e[-+]?\d+)?%?")  # 12, -0.5, 1,234, 91.2%, 1e-05: a column of these reads right-aligned


def cell(value: Any, code: bool = False) -> str:
    """One table cell in Markdown, on one line: a float with four decimals (three digits when smaller, never rounded
    to nothing), code in a code span, anything else as plain text."""
    if isinstance(value, float):
        text = f"{value:.4f}" if value == 0 or abs(value) >= 0.1 else digits3(value)
    else:
        text = str(value)
    if code and "`" not in text:  # GFM: a table's pipes are escaped even inside a code span
        return "`" + text.replace("|", "\\|").replace("\n", " ") + "`"
    return plain(text)


def markdown_table(rows: list[dict], code: tuple[str, ...] = ()) -> str:
    """`rows` (dicts with the same keys) as a GFM table; the columns named in `code` as code, numbers right-aligned."""
    keys = list(rows[0])
    right = [all(isinstance(r[k], (int, float)) or NUMBER.fullmatch(str(r[k])) or r[k] == "-" for r in rows)
             for k in keys]  # a dash, for no value, keeps its column of numbers right-aligned
    lines = ["| " + " | ".join(plain(k) for k in keys) + " |",
             "| " + " | ".join("---:" if r else "---" for r in right) + " |"]
    lines += ["| " + " | ".join(cell(r[k], k in code) for k in keys) + " |" for r in rows]
    return "\n".join(lines)


def digits3(x: float) -> str:
    """`x` with three significant digits, never rounded to nothing: 0.123, 0.00412, 4.1e-31."""
    return f"{x:.3f}" if x == 0 or abs(x) >= 0.1 else f"{x:.3g}"


def share(p: float) -> str:
    """A probability as a percentage with the digits it needs: 91.2%, 0.41%, 3.97e-29%."""
    return f"{p:.1%}" if p == 0 or p >= 0.01 else f"{p * 100:.3g}%"


def explain(error: Exception) -> str:
    """Plain words for an error from the core."""
    if isinstance(error, DataError):
        return f"The data could not be used: {plain(error)}"
    return f"Something went wrong: {plain(error)}"


def failed(message: str) -> None:
    """Say why in the page and end this run of it (outside a page, in tests, this only returns)."""
    st.error(message, icon=":material/error:")
    st.stop()
