"""The Break it page's third part: the lesson's model and a small CNN trained on plain and on shuffled pixels, one
run after another in the page pool's worker processes, once per server and data set; a progress bar meanwhile."""

import numpy as np
import streamlit as st

from mnistcore import figures, models, shuffle
from mnistcore.data import Dataset
from mnistcore.figures import robustness
from ui.show import fragments, plots
from ui.state import server_work

ASKED = "break_shuffle_asked"  # this session pressed the button (any session's finished runs show without it)
WHAT = {("linear", False): "the lesson's model on the plain digits", ("linear", True): "the lesson's model on shuffled digits",
        ("cnn", False): "the small CNN on the plain digits", ("cnn", True): "the small CNN on shuffled digits"}


def plan(seed: int) -> list[tuple[str, bool, int]]:
    """The four runs, in order: (model, shuffled, seed)."""
    return [(kind, mixed, seed) for kind, mixed in shuffle.RUNS]


def finished(ds: Dataset, seed: int) -> dict[tuple[str, bool], dict]:
    """The runs finished so far, by (model, shuffled); asking starts the next one."""
    return {item[:2]: result for item, result in server_work.in_order(shuffle.run, ds, plan(seed)).items()}


def show(ds: Dataset, seed: int) -> dict[tuple[str, bool], dict]:
    """A button, then a progress bar while the runs train one by one, then what they show; returns the finished runs."""
    asked = bool(st.session_state.get(ASKED))
    done = finished(ds, seed) if asked else {}
    training = asked and len(done) < len(shuffle.RUNS)

    @fragments.fragment(run_every=1.0 if training else None)
    def runs() -> None:
        """The button, the progress, and once all four are in, the results."""
        if not st.session_state.get(ASKED):
            st.button("Train the four models", icon=":material/model_training:", on_click=st.session_state.update,
                      kwargs={ASKED: True}, help="One epoch each, in a worker process, one after another; once per "
                                                 "server and data set, so a classmate may already have done it.")
            return
        now = finished(ds, seed)
        if len(now) < len(shuffle.RUNS):
            if not training:
                st.rerun()  # just asked: a full run starts the polling
            st.progress(len(now) / len(shuffle.RUNS), text=f"Training {len(now) + 1} of {len(shuffle.RUNS)}: "
                        f"{WHAT[shuffle.RUNS[len(now)]]}, one epoch. The rest of the page works meanwhile.")
            return
        if training:
            st.rerun()  # all trained: stop polling
        results(ds, now)

    runs()
    return done


def results(ds: Dataset, done: dict[tuple[str, bool], dict]) -> None:
    """What the four runs show: accuracies, the shuffled templates as learned and put back, the shift comparison."""
    said = shuffle.says(done)
    order = shuffle.permutation()
    plain, mixed = done["linear", False], done["linear", True]
    c = st.columns(4)
    for col, key, label in zip(c, shuffle.RUNS, ("lesson's model, plain", "lesson's model, shuffled", "small CNN, plain",
                                                 "small CNN, shuffled")):
        col.metric(label, f"{done[key]['accuracy']:.2%}", help=f"{done[key]['seconds']:.1f} s of training, one epoch")
    st.markdown(said["linear"])
    back = shuffle.unshuffle(mixed["templates"], order)
    plots.show(st, robustness.template_rows({"as learned": mixed["templates"], "put back": back}, ds.classes),
               said=f"The shuffled model's ten templates as it learned them ({sentence_of(mixed['templates'])}), and with "
                    f"every weight put back on its own pixel ({sentence_of(back)})", config={"displayModeBar": False})
    st.caption(f"**As learned** on shuffled pixels, the templates are noise to the eye: each weight belongs to one pixel, "
               f"only not to the pixel drawn at its place. **Put back** in the digits' order, the digits reappear, like the "
               f"plain model's {ratio(plain['templates'], back)}.")
    st.markdown(said["cnn"])
    plots.show(st, figures.curves({"the lesson's model": (shuffle.SHIFTS, plain["shift"]),
                                   "small CNN": (shuffle.SHIFTS, done["cnn", False]["shift"])},
                                  title="Every digit moved right", x_title="pixels moved right", y_title="accuracy",
                                  markers=True, height=300).update_yaxes(tickformat=".0%", range=[0, 1.02])
                                                           .update_xaxes(dtick=1),
               said=robustness.shift_words(shuffle.SHIFTS, {"the lesson's model": plain["shift"],
                                                            "small CNN": done["cnn", False]["shift"]}))
    st.markdown(said["shift"])
    st.info(f"**What this means for the next lesson.** {models.DESCRIPTIONS['cnn']} That builds in what the lesson's "
            "model had to learn separately for every one of the 784 places: that neighbouring pixels belong together, and "
            "that a stroke is a stroke wherever it is. This is what convolutions are for.", icon=":material/school:")


def sentence_of(weights: np.ndarray) -> str:
    """The range of a set of templates, in words."""
    return f"weights from {weights.min():+.2g} to {weights.max():+.2g}"


def ratio(plain: np.ndarray, back: np.ndarray) -> str:
    """How alike two sets of templates are, in words."""
    return f"(their weights correlate {shuffle.likeness(plain, back):.2f}, template by template)"
