"""Your own digits, drawn here one at a time (outside a class room): kept in the session (and over a reload, like the
rest of a tab's work), never on the server's disk; once each digit has two, the data set every page uses."""

import numpy as np
import streamlit as st

from mnistcore import image_folders, transfer
from mnistcore.errors import DataError
from ui.show import digit_pad, words
from ui.state import own_data, reloads, settings

PAD = "own_pad"  # the canvas's name (ui/show/canvas.py)
LEAST = 2  # drawings of each digit before they are a data set: one to train on, one to check with
MOST = 10  # of each digit: 100 drawings at most, a few tens of kilobytes


def _held() -> dict:
    """This tab's drawings: {"per_digit": n, "images": [(28, 28) uint8], "labels": [digit]}."""
    return st.session_state.setdefault("own_drawings", {"per_digit": LEAST, "images": [], "labels": []})


def _keep(digit: int, image: np.ndarray) -> str | None:
    """A drawing into this tab's own (at most MOST of each digit)."""
    held = _held()
    if held["labels"].count(digit) >= MOST:
        return f"You have {MOST} drawings of {digit} already: that is as many as this page keeps."
    held["images"].append(image)
    held["labels"].append(digit)
    reloads.remember()  # a reload brings them back
    return None


def _use() -> None:
    """The button's callback: the drawings become the data set every page uses."""
    held = _held()
    labels = np.array(held["labels"], dtype=np.int64)  # (N,)
    folders = image_folders.Folders(classes=transfer.DIGITS, images=np.stack(held["images"]), labels=labels,
                                    files=tuple(f"drawing {i + 1}" for i in range(len(labels))), notes=(),
                                    origin=f"drawn here, {len(labels)} drawings")
    try:
        own_data.keep(folders, "your drawings")
    except DataError as e:
        st.session_state[f"{PAD}_said"] = ("warning", words.plain(e))
        return
    settings.put("data", own_data.YOURS)


def _forget() -> None:
    """Start again with no drawing (the button's callback)."""
    st.session_state.pop("own_drawings", None)
    st.session_state.pop(f"{PAD}_skipped", None)


def section() -> None:
    """How many of each digit; the pad; the button that makes them a data set."""
    held = _held()
    held["per_digit"] = st.number_input("Drawings of each digit", LEAST, MOST, held["per_digit"], key="own_per_digit",
                                        help="Two of each is enough to try; ten of each gives the model more to learn "
                                             "from and more to check it with.")
    mine = tuple(held["labels"].count(d) for d in range(10))
    digit_pad.pad(PAD, mine, held["per_digit"], _keep, asked="you asked for", kept="Your {digit} is in.",
                  finished="All your digits are in.")
    ready = min(mine) >= LEAST
    row = st.container(horizontal=True)
    row.button(f"Use my {sum(mine)} drawings on every page", type="primary", icon=":material/dataset:", on_click=_use,
               disabled=not ready, key="own_use",
               help=None if ready else f"Each digit needs {LEAST} drawings first: one to train on, one to check with.")
    row.button("Start again", icon=":material/delete:", on_click=_forget, disabled=not held["labels"], key="own_forget")
