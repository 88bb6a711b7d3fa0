"""Start here: what the app teaches, page by page, in the lesson's order."""

import numpy as np
import streamlit as st

from mnistcore import figures
from mnistcore.classroom.store import clean_code
from ui.course import lesson_path, quiz
from ui.room import rooms
from ui.show import plots
from ui.state import session

ds = session.dataset()
st.title("How a neural network learns to read handwritten digits")
st.markdown(
    "A computer sees a digit as a grid of 28 × 28 numbers, one per pixel. This app follows "
    "fast.ai's *Machine Learning 1, lesson 8* step by step: from how those numbers are stored, "
    "through the loss that tells a model how wrong it is, to training one live and looking at "
    "what it still gets wrong. Every page runs on real images and real code."
)
first_of_each = [int(np.flatnonzero(ds.y_train == c)[0]) for c in range(10)]
plots.show(st,
    figures.mosaic(ds.x_train[first_of_each] / 255, [ds.classes[c] for c in range(10)], zmin=0, zmax=1,
                   title=f"One training image of each class from {ds.title}"),
    config={"displayModeBar": False},
)
if "room" not in st.query_params and rooms.seat() is None:  # a student told only the code types it here
    with st.form("room_code", border=True):
        c = st.columns([3, 1], vertical_alignment="bottom")
        typed = c[0].text_input("In a class? Your teacher's room code", max_chars=12, placeholder="e.g. K7QMPX")
        if c[1].form_submit_button("Go to the room", icon=":material/login:") and clean_code(typed):
            st.query_params["room"] = clean_code(typed)
            st.rerun()  # the join prompt takes it from here (and counts a wrong code)
st.subheader("The path through the lesson")
STEPS = lesson_path.STEPS[1:]
PER_ROW = 3  # wide enough for every title in one line ("4. Softmax & cross-entropy" was cut at four)
for row in range(0, len(STEPS), PER_ROW):
    for col, step in zip(st.columns(PER_ROW), STEPS[row:row + PER_ROW]):
        with col.container(border=True, height=140):
            st.page_link(step.file, label=f"**{STEPS.index(step) + 1}. {step.title}**", icon=step.icon)
            st.caption(step.what[0].upper() + step.what[1:])
st.caption("The sidebar's settings (data set, device, seed) apply to every page, and each page's settings are "
           "kept in its address: copy the link to share exactly what you see.")
quiz.ask("home", {"x_train": ds.x_train}, ds.classes)
lesson_path.next_step(__file__)
