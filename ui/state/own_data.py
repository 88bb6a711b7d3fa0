"""The data set a session brings itself: images from a zip of folders, the session's own (kept over a reload like
the rest of a tab's work, never written to the server's disk). The sidebar's data set choice calls it "yours"."""

import streamlit as st

from mnistcore import image_folders
from mnistcore.data import Dataset
from ui.state.registry import OWN_DATA

YOURS = "yours"


def keep(folders: image_folders.Folders, name: str) -> Dataset:
    """Make `folders` (read from the zip called `name`) this session's own images: the data set, split, is returned."""
    ds = image_folders.to_dataset(folders, label=OWN_DATA[YOURS])
    st.session_state["own_data"] = {"dataset": ds, "zip": name, "notes": folders.notes}
    return ds


def yours() -> Dataset | None:
    """This session's images from a zip, or None."""
    held = st.session_state.get("own_data")
    return held["dataset"] if held else None
