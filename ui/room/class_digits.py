"""The class's own digits as a data set: what a room's students drew (in the class's database), for the room's
students and its teacher. The sidebar's data set choice calls it "class"."""

import numpy as np
import streamlit as st

from mnistcore import image_folders, transfer
from mnistcore.classroom import handwriting
from mnistcore.classroom.store import StoreDown
from mnistcore.data import Dataset
from mnistcore.errors import DataError
from ui.room import rooms
from ui.state import settings
from ui.state.registry import OWN_DATA

CLASS = "class"
LEAST = 2  # drawings of each digit before they are a data set: one to train on, one to check with


def room_code() -> str | None:
    """The room whose digits this session may use: the student's seat's, or the teacher's room."""
    held = rooms.seat() or rooms.teacher()
    return held.code if held is not None else None


def dataset(code: str | None = None) -> Dataset | None:
    """The room's drawings as the data set this session uses: while it is the sidebar's choice, the drawings it had
    when chosen (a class still drawing would otherwise change it under the student at every drawing, and with it
    every page's selection and computed results), until `take_latest`; else the latest."""
    code = code or room_code()
    latest = _latest(code)
    held = st.session_state.get("class_in_use")
    if settings.value("data") == CLASS and held is not None and held[0] == code and held[1] is not None:
        return held[1]
    st.session_state["class_in_use"] = (code, latest)
    return latest


def waiting() -> tuple[int, int] | None:
    """(drawings in use, drawings now) when the class has drawn or removed some since this session took its digits
    (the latest as `dataset` last read them: no second look at the database)."""
    held, latest = st.session_state.get("class_in_use"), _seen()
    if held is None or held[1] is None or latest is None or held[1].key == latest.key:
        return None
    return len(held[1].x_train) + len(held[1].x_valid), len(latest.x_train) + len(latest.x_valid)


def take_latest() -> None:
    """The button's callback: use the class's drawings as `dataset` last read them."""
    st.session_state["class_in_use"] = (room_code(), _seen())


def _seen() -> Dataset | None:
    """The room's drawings as a data set, as `_latest` last read them."""
    held = st.session_state.get("class_data")
    return held[1] if held else None


def _latest(code: str | None) -> Dataset | None:
    """The room's drawings as a data set (a fifth of each digit kept to check the model), or None while there are too
    few (LEAST of each digit) or no room. Kept in the session until the drawings change; while the database is away,
    the last one seen."""
    if code is None:
        return None
    held = st.session_state.get("class_data")
    try:
        room = rooms.store().room(code)  # its version changes with every drawing: the drawings are read only then
        stamp = (code, room.version if room else None)
        if held and held[0] == stamp:
            return held[1]
        images, labels, _, ids = rooms.store().drawings(code)
    except StoreDown:
        return held[1] if held and held[0][0] == code else None
    ds = None
    if len(labels) and np.bincount(labels, minlength=10).min() >= LEAST:
        folders = image_folders.Folders(classes=transfer.DIGITS, images=images, labels=labels.astype(np.int64),
                                        files=tuple(f"drawing {i}" for i in ids), notes=(),
                                        origin=handwriting.origin(code, len(ids), int(ids.max())))
        try:
            ds = image_folders.to_dataset(folders, label=OWN_DATA[CLASS])
        except DataError:
            ds = None
    st.session_state["class_data"] = (stamp, ds)
    return ds
