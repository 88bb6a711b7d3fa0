"""The training page's weights files: a finished run's downloads, and weights uploaded to evaluate or train on."""

import streamlit as st

from mnistcore import models
from mnistcore.data import Dataset
from mnistcore.figures import live_pictures
from mnistcore.serving import uploads
from mnistcore.serving.jobs import Job
from ui.show import words
from ui.state import session

BEGAN = {"uploaded": ", continued from the weights you uploaded", "lesson": ", starting from the lesson's model"}


def finished(job: Job) -> None:
    """Make a finished run the session's model for the data it trained on (once; not a diverged one), and offer its
    files."""
    result = job.result
    if st.session_state.get("recorded_job") is not job and result.status != "diverged":
        # once per finished run: it becomes the session's model (a diverged one would replace a good one)
        st.session_state["recorded_job"] = job
        st.session_state.pop("upload_note", None)
        began = BEGAN.get(result.config.start, "") + (" on MNIST's images" if result.config.trained_on else "")
        session.keep_model(result.model, job.dataset_key,
                           f"Using the model you trained on this page{began} ({models.NAMES[result.config.model]}, "
                           f"{result.steps:,} steps, valid accuracy {result.valid_accuracy:.2%}).",
                           (job.data.mean, job.data.std))  # the scale it learned on: MNIST's, if it learned there
    if st.session_state.get("downloads", (None,))[0] is not job:  # encode the files once per finished run
        weights, titles = models.templates(result.model)
        st.session_state["downloads"] = (job, models.to_file(result.model), live_pictures.weights_png(weights.numpy(), titles))
    _, weights_file, png = st.session_state["downloads"]
    c1, c2 = st.columns(2)
    c1.download_button("Download the weights (state_dict)", weights_file, f"mnist-{result.config.model}.pt")
    c2.download_button("Download the heatmaps (PNG)", png, "weights.png", mime="image/png")


def upload(ds: Dataset) -> None:
    """The uploader: each file read once through `uploads.weights`; a good one becomes the session's model."""
    file = st.file_uploader("Load weights saved earlier, to evaluate them or continue training", type=["pt", "pth"],
                            max_upload_size=uploads.MAX_WEIGHTS_BYTES // 2**20)
    if file is not None and st.session_state.get("upload_id") != file.file_id:  # each file once, not every rerun
        st.session_state["upload_id"] = file.file_id
        try:
            loaded = uploads.weights(file.getvalue())
        except uploads.UploadError as e:  # a corrupt, foreign or hostile file: say so, keep everything else
            st.session_state["upload_note"] = ("error", words.plain(e))
        else:
            acc = session.accuracy(loaded, ds)
            st.session_state["uploaded"] = loaded
            session.keep_model(loaded, ds.key,
                               f"Using the weights you uploaded ({words.plain(file.name)}, {acc:.2%} valid accuracy).")
            st.session_state["upload_note"] = ("success", f"Loaded: {models.NAMES[models.kind_of(loaded)]}, {acc:.2%} on "
                                               "these validation images. The mistakes page now uses it; press Start to "
                                               "train it further.")
    if "upload_note" in st.session_state:
        kind, text = st.session_state["upload_note"]
        (st.success if kind == "success" else st.error)(text)
