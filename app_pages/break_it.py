"""Break it: what the lesson's model really learned, found by changing the digits it reads and the weights inside it."""

import streamlit as st
import torch

from mnistcore import distort, models, surgery, train
from mnistcore.data import Dataset
from mnistcore.figures import robustness
from ui.course import lesson_path, quiz
from ui.sections import model_edits, shuffled_pixels, switch_curves
from ui.show import plots
from ui.state import server_work, session, settings, shared_data

ds = session.dataset()
labels, seed = ds.classes, session.seed()
data = shared_data.prepared(ds, "cpu")


@st.cache_resource(max_entries=4)
def pixels(_ds: Dataset, key: str) -> tuple[torch.Tensor, torch.Tensor]:
    """The validation images as pixels in [0, 1] (N, 28, 28) and their labels (N,), once per data set; read only."""
    return distort.pixels(_ds.x_valid), torch.tensor(_ds.y_valid)


SWITCH_KEYS = {s.key: f"break_{s.key}" for s in distort.SWITCHES}  # declared in ui/state/registry.py
KEYS = [*SWITCH_KEYS.values(), "break_bias", "break_zero", "break_blend"]


def reset() -> None:
    """Every switch back to where it leaves the digits alone."""
    for s in distort.SWITCHES:
        settings.put(SWITCH_KEYS[s.key], s.neutral)


st.title("Break it")
model, note = session.model()
mine = session.trained() is not None and session.trained().dataset_key == ds.key
x, y = pixels(ds, ds.key)
st.markdown(f"A model that reads most digits right has learned *something*. What? Change the digits it reads and see "
            f"what it survives; then change the weights inside it. Every accuracy here is measured on all {len(y):,} "
            "validation images, each time you move a switch.")
st.caption(note)

st.header("1. Change the digits")
result = st.container()  # above the switches: in view while they move
cells = [c for _ in range(0, len(distort.SWITCHES), 3) for c in st.columns(3)]  # row by row: a phone stacks them in order
amounts = {s.key: cell.select_slider(s.label, s.amounts, format_func=s.words, help=s.help, **settings.keep(SWITCH_KEYS[s.key]))
           for cell, s in zip(cells, distort.SWITCHES)}
changes = distort.Changes(**amounts)
st.button("Put every switch back", icon=":material/restart_alt:", on_click=reset, disabled=changes == distort.NEUTRAL)
mean, std = session.stats()  # the scale the model reads: MNIST's for the lesson's model on digits of our own
seen = distort.look(model, x, y, mean, std, changes, distort.examples(ds.y_valid), seed)
left, right = result.columns([1, 3], vertical_alignment="center")
left.metric("accuracy now", f"{seen.accuracy:.1%}", border=True,
            delta=f"{100 * (seen.accuracy - seen.accuracy_before):+.1f} points" if changes != distort.NEUTRAL else None,
            help=f"{seen.accuracy_before:.2%} on the digits as they are. Changes: {distort.describe(changes)}.")
names = [[labels[k] for k in ks] for ks in (seen.labels, seen.read_before, seen.read_after)]
plots.show(right, robustness.before_after(seen.before, seen.after, *names),
           said=f"Six validation digits, {', '.join(names[0])}, each under what the model reads in it: as they are, read as "
                f"{', '.join(names[1])}; changed ({distort.describe(changes)}), read as {', '.join(names[2])}.",
           config={"displayModeBar": False})
st.subheader("What each switch costs, all the way along")
switch_curves.show(ds, seed, model if mine else None, amounts)
st.caption("Each chart moves one switch, the others left alone; the red dot is where that switch stands now. A linear "
           "model scores each class by adding up weight × pixel: a weight only knows the one place it sits, so a digit that "
           "moves a pixel or two lands on other weights, while noise and blur leave the strokes where they were.")

st.header("2. Inside the model")
linear = model if models.kind_of(model) in ("linear", "logreg") else models.from_file(server_work.result(
    train.lesson_model_file, ds, seed, waiting="Training the lesson's model for one epoch (once per server)..."))
if linear is not model:
    st.caption("Your model has hidden layers, so no single template per class: this part edits the lesson's model.")
st.markdown(f"The model scores each class as **x @ W[k] + b[k]**: a template of {x[0].numel()} weights and one bias. "
            "Change them by hand and read what is left.")
c = st.columns(3)
zero_bias = c[0].toggle("Zero the ten biases", **settings.keep("break_bias"))
zero = c[1].selectbox("Zero one class's template", range(-1, 10), format_func=lambda k: "none" if k < 0 else f"class {labels[k]}",
                      **settings.keep("break_zero"))
blend = c[2].select_slider("Blend the templates towards their mean", surgery.BLENDS, format_func="{:.0%}".format,
                           **settings.keep("break_blend"))
edits = surgery.Edits(zero_bias, None if zero < 0 else zero, blend)
model_edits.show(linear, edits, ds, session.valid_inputs() if linear is model else data.x_valid)

st.header("3. Shuffle the pixels")
st.markdown(f"Put the {x[0].numel()} pixels of every digit in one fixed random order, the same for every image, train and "
            "validation alike, and train the lesson's model on them for its one epoch. Beside it, a small convolutional "
            "network (CNN), the next lesson's model, trained the same way on the same digits.")
runs = shuffled_pixels.show(ds, seed)

settings.publish(*KEYS)
quiz.ask("break", {"model": model, "x": x, "y": y, "mean": mean, "std": std, "linear": linear, "runs": runs},
         labels)
lesson_path.next_step(__file__)
