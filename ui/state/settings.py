"""Settings a student chooses, kept across pages and mirrored in the URL so that a link carries the view.

Every value passes a parser (a range, a list of choices, a length) before a widget sees it, whether it
came from a link or from the session; a value a parser refuses is named in a toast and replaced by the
default. Pages read and write settings only through `keep`, `put` and `value`, never through the
session-state keys behind them.
"""

from collections.abc import Callable
from typing import Any

import streamlit as st

from ui.show.words import plain


def _store(key: str) -> str:
    """The session-state key that holds setting `key` across pages."""
    return f"kept:{key}"


def value(key: str, default: Any = None) -> Any:
    """The current value of setting `key`."""
    return st.session_state.get(_store(key), default)


def put(key: str, new: Any) -> None:
    """Set setting `key` (its widget shows `new` from the next run on)."""
    st.session_state[_store(key)] = new


def _save(key: str) -> None:
    """Copy a widget's new value into its page-independent store."""
    put(key, st.session_state[key])


def keep(key: str, default: Any, parse: Callable[[str], Any] = None) -> dict:
    """Widget kwargs for a setting that survives page switches and is mirrored in the URL.

    Every value passes through `parse` before it reaches the widget: the URL's text on the
    first visit, and the kept value on every run after (a widget's bounds can change, as
    the gallery's page count does). A value `parse` refuses (ValueError) becomes `default`.
    """
    parse = parse or text(200)
    store = _store(key)
    from_link = store not in st.session_state and key in st.query_params
    if store not in st.session_state:
        st.session_state[store] = st.query_params.get(key, default)
    try:
        st.session_state[store] = parse(_as_text(st.session_state[store]))
    except (ValueError, TypeError, OverflowError):
        if from_link:  # a teacher's typo in a shared link must not pass silently
            st.toast(f"The link's {plain(key[:40])}={plain(st.query_params.get(key, '')[:80])} was not understood, so this "
                     f"page uses {plain(_as_text(default))} instead.", icon=":material/link_off:")
        st.session_state[store] = default
    # Streamlit forgets a widget's state on runs where it is not drawn (another page),
    # so the widget is re-seeded from the store each run.
    st.session_state[key] = st.session_state[store]
    return {"key": key, "on_change": _save, "args": (key,)}


def _as_text(value: Any) -> str:
    """A kept value as the URL would spell it, so one parser checks both."""
    return ",".join(map(str, value)) if isinstance(value, tuple) else str(value)


def publish(*keys: str) -> None:
    """Write the current value of each kept `key` into the URL so the view can be shared."""
    for key in keys:
        kept = value(key)
        if kept is not None:
            st.query_params[key] = _as_text(kept)


def in_range(lo: float, hi: float, cast: Callable[[str], Any]) -> Callable[[str], Any]:
    """A URL parser accepting values from `lo` to `hi`, read with `cast`."""
    def parse(raw: str) -> Any:
        value = cast(raw)
        if not lo <= value <= hi:
            raise ValueError(raw)
        return value
    return parse


def int_in(lo: int, hi: int) -> Callable[[str], int]:
    """A URL parser accepting integers from `lo` to `hi`."""
    return in_range(lo, hi, int)


def float_in(lo: float, hi: float) -> Callable[[str], float]:
    """A URL parser accepting numbers from `lo` to `hi`."""
    return in_range(lo, hi, float)


def pair_in(lo: int, hi: int) -> Callable[[str], tuple[int, int]]:
    """A URL parser for a range slider: two integers from `lo` to `hi`, given in any order."""
    def parse(raw: str) -> tuple[int, int]:
        a, b = sorted(int(p) for p in raw.strip("()[] ").split(","))  # not exactly two: ValueError
        if not lo <= a <= b <= hi:
            raise ValueError(raw)
        return a, b
    return parse


def text(max_length: int) -> Callable[[str], str]:
    """A URL parser for free text of at most `max_length` characters."""
    def parse(raw: str) -> str:
        if len(raw) > max_length:
            raise ValueError("too long")
        return raw
    return parse


def flag(raw: str) -> bool:
    """A URL parser for a toggle: "True" or "False"."""
    return one_of(["True", "False"])(raw) == "True"


def one_of(options, cast: Callable[[str], Any] = str, aliases: dict[str, Any] | None = None) -> Callable[[str], Any]:
    """A URL parser accepting only the given `options` (read with `cast`), and the other spellings in `aliases`."""
    def parse(raw: str) -> Any:
        value = (aliases or {}).get(raw.strip().lower(), None)
        value = cast(raw) if value is None else value
        if value not in options:
            raise ValueError(raw)
        return value
    return parse
