"""A teacher's hold on a room, as the Teach page takes it: from a teacher link, or from the class's database for the
browser that opened the room (after a reload, or on another server after a restart)."""

import streamlit as st

from mnistcore.classroom.store import StoreDown, clean_code
from ui.room import rooms
from ui.state import browsers


def claim_from_link() -> None:
    """A teacher link (`?room=CODE&key=SECRET`) gives this session the room; the secret then leaves the address."""
    code, secret = clean_code(st.query_params.get("room", "")), st.query_params.get("key", "")
    if not secret:
        return
    st.query_params.pop("key", None)
    st.query_params.pop("room", None)  # the teacher is no student: no join box in the sidebar
    if wait := rooms.wait_words():
        st.warning(wait)
        return
    try:
        if rooms.store().is_teacher(code, secret):
            st.session_state["teaching"] = rooms.Teacher(code, secret)
            st.rerun()  # the sidebar too: it drew before the claim
        rooms.GUESSES.failed(rooms.client())
        st.warning("That teacher link does not open a room: it may be mistyped, or its room has closed.")
    except StoreDown as e:
        rooms.down(e)


def found_again() -> rooms.Teacher | None:
    """The room this browser opened, from the class's database: after a reload, or on another server after a restart."""
    if "teaching_looked" in st.session_state:
        return None
    st.session_state["teaching_looked"] = True
    try:
        code = rooms.store().taught_by(browsers.browser_id())
    except StoreDown:
        return None
    if code is None:
        return None
    st.session_state["teaching"] = rooms.Teacher(code, "")
    return st.session_state["teaching"]
