"""The class's own digits as a data set: what a room's students drew (in the class's database), for the room's
students and its teacher. The sidebar's data set choice calls it "class"."""

import numpy as np
import streamlit as st

from mnistcore import image_folders
from mnistcore.classroom import handwriting
from mnistcore.classroom.store import StoreDown
from mnistcore.data import Dataset
from mnistcore.errors import DataError
from ui.room import rooms
from ui.state.registry import OWN_DATA

CLASS = "class"
DIGITS = tuple(str(d) for d in range(10))
LEAST = 2  # drawings of each digit before they are a data set: one to train on, one to check with


def room_code() -> str | None:
    """The room whose digits this session may use: the student's seat's, or the teacher's room."""
    held = rooms.seat() or rooms.teacher()
    return held.code if held is not None else None


def dataset(code: str | None = None) -> Dataset | None:
    """The room's drawings as a data set (a fifth of each digit kept to check the model), or None while there are too
    few (LEAST of each digit) or no room. Kept in the session until the drawings change; while the database is away,
    the last one seen."""
    code = code or room_code()
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
        folders = image_folders.Folders(classes=DIGITS, images=images, labels=labels.astype(np.int64),
                                        files=tuple(f"drawing {i}" for i in ids), notes=(),
                                        origin=handwriting.origin(code, len(ids), int(ids.max())))
        try:
            ds = image_folders.to_dataset(folders, label=OWN_DATA[CLASS])
        except DataError:
            ds = None
    st.session_state["class_data"] = (stamp, ds)
    return ds
