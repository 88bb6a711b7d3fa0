"""Learn from our own digits, on the training page: the lesson's model (trained on MNIST only) checked on them, and
then, on the student's word, trained further on their training part and checked on the rest (fine-tuning)."""

import streamlit as st

from mnistcore import image_folders
from mnistcore.data import Dataset
from ui.show import words
from ui.state import session, shared_data


def _start_from_lesson(ds: Dataset) -> None:
    """The button's callback: the lesson's model becomes the weights the next run starts from."""
    model = session.lesson_model(shared_data.mnist())
    st.session_state["uploaded"], st.session_state["uploaded_kind"] = model, "lesson"
    session.keep_model(model, ds.key, f"The lesson's model, trained on MNIST only: {session.accuracy(model, ds):.1%} "
                                      f"of {words.plain(ds.title)}' validation images read right.")


def offer(ds: Dataset) -> None:
    """For a data set of our own: what the lesson's model makes of it, and the button that starts from it."""
    if ds.name != "folders":
        return
    with st.container(border=True):
        st.markdown(f"**Learn from {words.plain(ds.title)}.** {words.plain(image_folders.split_words(ds))}")
        model = session.lesson_model(shared_data.mnist())
        before = session.accuracy(model, ds)
        st.markdown(f"**Checked on these images**, the lesson's model (trained on MNIST only, never on them) reads "
                    f"**{before:.1%}** of the validation part right. Press Start as it is to train a new model on these "
                    "images alone; or start from the lesson's model and train it further on them (**fine-tuning**): "
                    "what it learned from MNIST's 50,000 digits plus ours.")
        if st.session_state.get("uploaded_kind") == "lesson" and st.session_state.get("uploaded") is not None:
            st.caption("The next run starts from the lesson's model. Its accuracy when it ends is the 'after'.")
        else:
            st.button("Start from the lesson's model", icon=":material/school:", on_click=_start_from_lesson, args=(ds,),
                      help="The next run begins with the weights of the lesson's model, trained on MNIST.")
