"""The teacher's "Remove this run from the board", with an Undo that puts the whole run back under its own number."""

import streamlit as st

from ui.show import words


def remove(store, code: str, rows: list[dict], at: int) -> None:
    """Take run `rows[at]` off the board, keeping its row for Undo; the list then shows the run that was next to it
    (a button's callback)."""
    run = rows[at]
    st.session_state["run_removed"] = (code, run["run"], run["name"], store.remove_run(code, run["run"]))
    rest = rows[:at] + rows[at + 1:]
    if rest:
        st.session_state["run_pick"] = rest[min(at, len(rest) - 1)]


def put_back(store, code: str) -> None:
    """Undo's callback: the run taken off goes back on the board, unless its student has left the room since."""
    _, _, name, row = st.session_state.pop("run_removed")
    if not store.put_back(code, row):
        st.session_state["run_not_back"] = name


def undo(store, code: str) -> None:
    """The last run taken off the board, with a button that puts it back."""
    if name := st.session_state.pop("run_not_back", None):
        st.warning(f"{words.plain(name)} has left the room since: their run cannot go back on the board.")
    removed = st.session_state.get("run_removed")
    if not removed or removed[0] != code or removed[3] is None:
        return
    with st.container(horizontal=True, vertical_alignment="center"):
        st.caption(f"Run #{removed[1]} by {words.plain(removed[2])} was taken off the board.")
        st.button("Undo", icon=":material/undo:", key="undo_remove", on_click=put_back, args=(store, code))
