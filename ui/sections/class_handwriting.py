"""The class board's section on the class's own digits: the lesson's model (trained on MNIST) reads them, against
what it reaches on MNIST's own validation images; where it goes wrong; the class's mean digits beside MNIST's; the
drawings it finds hardest, with no name attached."""

import numpy as np
import streamlit as st
import torch

from mnistcore import figures, train, transfer
from mnistcore.classroom import board, handwriting
from mnistcore.classroom.store import StoreDown
from mnistcore.data import Dataset
from ui.room import projector, rooms
from ui.show import looks, plots, words
from ui.state import server_work, session, shared_data


@st.cache_resource(max_entries=2, show_spinner=False)
def _reference(_mnist: Dataset, _model: torch.nn.Module, key: str) -> handwriting.Reference:
    """What the comparison needs of MNIST (data set `key`) and the lesson's model on it, once per server: 50,000
    images' statistics and mean digits took the class's first drawing on the board past its 3 s."""
    return handwriting.reference(_mnist, session.accuracy(_model, _mnist))


def _lesson_model():
    """The lesson's model trained once per server on MNIST (the full set where the server has it), and its
    `handwriting.Reference`."""
    mnist = shared_data.mnist()
    model = session.lesson_model(mnist)
    return model, _reference(mnist, model, mnist.key)


def warm() -> None:
    """Before the class's first drawing: the same, once the server's worker has trained the lesson's model (never a
    wait on the board)."""
    lesson = server_work.start(train.lesson_model_file, shared_data.mnist(), 0)
    if lesson.done() and not lesson.cancelled() and lesson.exception() is None:
        _lesson_model()


def means(ours: np.ndarray, theirs: np.ndarray) -> np.ndarray:
    """MNIST's ten mean digits above the class's, as one picture (2 * 30, 10 * 30) in [0, 1] (grey where a digit has
    no drawing yet)."""
    def row(m: np.ndarray) -> np.ndarray:
        tiles = np.nan_to_num(m, nan=0.35)  # (10, 28, 28)
        return np.pad(tiles, ((0, 0), (1, 1), (1, 1)), constant_values=0.35).transpose(1, 0, 2).reshape(30, 300)
    return np.concatenate([row(theirs), row(ours)])  # (60, 300)


def section(code: str, big: bool) -> None:
    """The section, when the room has drawings."""
    try:
        store = rooms.store()
        images, labels, _, ids = store.drawings(code)
        members, runs = store.members(code), store.runs(code)
    except StoreDown:
        return
    if not len(ids):
        warm()
        return
    st.header("Our class's digits meet the lesson's model")
    model, ref = _lesson_model()
    met = handwriting.meet(model, images, labels, ref)
    m = st.columns(3)
    m[0].metric("our digits read right", f"{met.accuracy:.1%}")
    m[1].metric("MNIST's validation images read right", f"{met.mnist_accuracy:.1%}")
    m[2].metric("drawings", f"{met.n:,}")
    st.markdown(handwriting.sentence(met))
    left, right = st.columns(2)
    confusion = figures.confusion(met.counts, list(transfer.DIGITS), height=420)
    plots.show(left, projector.sized(confusion, big), key="handwriting_confusion")
    left.caption("Rows: the digit the student drew. Columns: what the lesson's model read. Off the diagonal: its mistakes.")
    right.image(figures.enlarged(means(met.ours, met.mnist), zoom=3), clamp=True,
                caption="Top: MNIST's mean digit of each class, 0 to 9. Bottom: ours. The lesson's model scores a digit "
                        "by how much its ink lies where each template's weights are high: where our means differ from "
                        "MNIST's, it reads less well.",
                alt="MNIST's ten mean digits above the class's ten mean digits")
    st.subheader("Runs that learned from our digits: before and after")
    names = {m.id: board.shown_name(m, i + 1) for i, m in enumerate(members)}
    learned = handwriting.learned(runs, code, met.accuracy, names)
    if learned:
        looks.table(learned[: board.SHOWN])
        st.caption("Before: the lesson's model, trained on MNIST only, on the same digits (for a fine-tune, the part it "
                   "was checked on). After: the run's own accuracy on them.")
    else:
        st.caption("None yet. On the training page, with Our class's digits chosen in the sidebar: train a model on "
                   "MNIST and check it on ours, or fine-tune the lesson's model on ours.")
    st.subheader("The digits it finds hardest")
    cols = st.columns(len(met.hardest))
    for col, i in zip(cols, met.hardest):
        col.image(images[i], width=84, clamp=True,
                  caption=f"a {labels[i]}, read as {met.said[i]} · {met.truth_probability[i]:.0%} for {labels[i]}",
                  alt=f"a drawn {labels[i]} that the model read as {met.said[i]}")
    st.caption(words.plain("No name goes with a drawing on this board. The teacher can take one out on the Teach page."))
