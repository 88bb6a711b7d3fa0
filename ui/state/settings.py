"""Settings a student chooses, kept across pages and mirrored in the URL so that a link carries the view.

Every value passes its parser (ui/state/registry.py: one per key) before a widget sees it, whether it came from
a link or from the session; a value a parser refuses is named in a toast and replaced by the default. Pages read
and write settings only through `keep`, `put` and `value`, never through the session-state keys behind them.
"""

from typing import Any

import streamlit as st

from ui.show.words import plain
from ui.state import registry
from ui.state.parsers import text


def _store(key: str) -> str:
    """The session-state key that holds setting `key` across pages."""
    return f"kept:{key}"


def value(key: str) -> Any:
    """The current value of setting `key` (its declared default before anything set it)."""
    return st.session_state.get(_store(key), registry.entry(key).default)


def put(key: str, new: Any) -> None:
    """Set setting `key` (its widget shows `new` from the next run on)."""
    registry.entry(key)  # an undeclared key is a mistake, not a new setting
    st.session_state[_store(key)] = new


def drop(key: str) -> None:
    """Forget setting `key` in this session and its link: it starts again from its default."""
    st.session_state.pop(_store(key), None)
    st.session_state.pop(key, None)
    st.query_params.pop(key, None)


def follow(dataset_key: str) -> None:
    """Drop what belongs to the last data set when the sidebar switched to another (registry: per_dataset)."""
    if st.session_state.get("kept_for") not in (None, dataset_key):
        for key in registry.about_the_data_set():
            drop(key)
    st.session_state["kept_for"] = dataset_key


def _save(key: str) -> None:
    """Copy a widget's new value into its page-independent store."""
    put(key, st.session_state[key])


def keep(key: str, *bounds: Any) -> dict:
    """Widget kwargs for setting `key`, declared in the registry, that survives page switches and is mirrored in the URL.

    Every value passes through the key's parser before it reaches the widget: the URL's text on the first visit,
    and the kept value on every run after (a widget's bounds can change, as the gallery's page count does: those
    keys' parsers take `bounds`). A value the parser refuses (ValueError) becomes the key's default.
    """
    declared = registry.entry(key)
    if declared.lives != registry.URL:
        raise ValueError(f"{key!r} lives in {declared.lives}, not in the link: it has no widget to keep")
    default = declared.default
    parse = declared.parse(*bounds) if bounds else (declared.parse or text(200))
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
