"""The lesson's order, in one place: the navigation, the start page's path and every page's "Next" link."""

from typing import NamedTuple

import streamlit as st


class Step(NamedTuple):
    """One page of the lesson."""

    file: str
    title: str
    icon: str
    url_path: str
    what: str  # what a student does there, for the start page


STEPS = [
    Step("app_pages/home.py", "Start here", ":material/home:", "", "what the app teaches, and the path through it."),
    Step("app_pages/tensor_axes.py", "Tensor rank & axes", ":material/view_in_ar:", "tensors",
         "a pixel, a row, an image, a batch: rank 0 to 4, and what 'axis 0' means."),
    Step("app_pages/normalization.py", "Normalization", ":material/tune:", "normalization",
         "why we subtract the training mean and divide by its standard deviation, and why the validation set must use the "
         "same numbers."),
    Step("app_pages/reshape.py", "Reshape & slicing", ":material/crop:", "reshape",
         "turning 784 numbers back into a 28 × 28 picture, cutting pieces out of it, and broadcasting."),
    Step("app_pages/softmax.py", "Softmax & cross-entropy", ":material/functions:", "softmax",
         "turning ten scores into probabilities, and scoring how wrong they are."),
    Step("app_pages/how_it_learns.py", "How it learns", ":material/trending_down:", "learning",
         "a step downhill on the loss: derivatives, the learning rate, and one SGD step of the lesson's model."),
    Step("app_pages/live_training.py", "Live training", ":material/model_training:", "training",
         "the lesson's model learning, with its ten weight templates taking shape as you watch."),
    Step("app_pages/mistakes.py", "The model's mistakes", ":material/error:", "mistakes",
         "the digits it gets wrong, why, and your own handwriting."),
    Step("app_pages/break_it.py", "Break it", ":material/broken_image:", "break",
         "move, turn, blur and shuffle the digits, edit the weights, and find out what the model really learned."),
    Step("app_pages/own_digits.py", "Our own digits", ":material/draw:", "own",
         "your class's handwriting, or your own images in folders, as a data set every page uses."),
]
# Not steps of the lesson: the teacher's room and the class's board (app_pages/teach_a_class.py, class_board.py).
CLASS = [
    Step("app_pages/teach_a_class.py", "Teach a class", ":material/school:", "teach",
         "open a room for the class, push a task to every student, and manage the board."),
    Step("app_pages/class_board.py", "Class board", ":material/leaderboard:", "board",
         "the class's runs side by side, for the projector."),
]


def pages() -> list:
    """The navigation's pages: the lesson's in its order, then the class's. One flat list: with sections,
    Streamlit's navigation puts headers directly inside its <ul>, which screen readers misread (axe: list)."""
    return [st.Page(s.file, title=s.title, icon=s.icon, url_path=s.url_path or None, default=not s.url_path)
            for s in STEPS + CLASS]


def url_paths() -> set[str]:
    """Every page's address after the app's own (the start page's is empty)."""
    return {s.url_path for s in STEPS + CLASS if s.url_path}


def page_file(url_path: str) -> str:
    """The file of the page at address `url_path` ("" or "home" for the start page)."""
    return next(s.file for s in STEPS + CLASS if s.url_path == ("" if url_path == "home" else url_path))


def next_step(this_file: str) -> None:
    """End a page with a link to the next one in the lesson (the last page links back to the start)."""
    files = [s.file.split("/")[-1] for s in STEPS]
    here = files.index(this_file.replace("\\", "/").split("/")[-1])
    step = STEPS[(here + 1) % len(STEPS)]
    st.divider()
    label = f"Next: {step.title} →" if here + 1 < len(STEPS) else "Back to the start: the whole path →"
    st.page_link(step.file, label=label, icon=step.icon)
    st.caption(step.what[0].upper() + step.what[1:])
