"""Softmax & cross-entropy: from ten scores to probabilities, and how wrong they are."""

import numpy as np
import streamlit as st
import torch

from mnistcore import figures, losses
from mnistcore.figures import sentences
from ui.course import lesson_path, quiz
from ui.show import looks, plots, words
from ui.state import session, settings

ds = session.dataset()
labels = list(ds.classes)
st.title("Softmax & cross-entropy")
st.markdown(
    "The model's last layer gives ten scores (*logits*), one per class. **Softmax** turns them into ten "
    "probabilities: exponentiate each, then divide by the total, so they are positive and add up to 1. "
    "The **loss** then asks: how much probability did the model give to the right answer?"
)


def load_real_logits() -> None:
    """Put the log-probabilities of a random validation image into the sliders."""
    probs, _ = session.probabilities()  # (N, 10)
    k = int(np.random.default_rng().integers(len(ds.x_valid)))
    z = np.log(np.maximum(probs[k], 1e-30)).clip(-10, 10)  # (10,) log-probabilities: softmax gives back the same probabilities
    for c in range(10):
        settings.put(f"z{c}", round(float(z[c]), 1))
    settings.put("true", int(ds.y_valid[k]))
    settings.put("temp", 1.0)
    st.session_state["real_image"] = k


st.header("Ten sliders, ten probabilities")
st.button("Load a real digit's scores", on_click=load_real_logits,
          help="Takes a random validation image, runs it through this session's trained model "
               "(or the lesson's model, trained on the spot) and sets the sliders to its scores.")
play = st.container()  # the chart and its sliders: on a phone the chart stays in view while they scroll under it
chart = play.container(key="softmax_chart")  # drawn once the sliders are read
cols = play.columns(10)
z = torch.tensor([cols[c].slider(labels[c], -10.0, 10.0, step=0.1, **settings.keep(f"z{c}"))
                  for c in range(10)])
left, right = play.columns(2)
temp = left.slider("Temperature T (softmax of z / T)", 0.1, 5.0, step=0.1, **settings.keep("temp"),
                   help="Below 1 sharpens the probabilities, above 1 flattens them.")
true = right.selectbox("The true class", range(10), format_func=lambda c: labels[c], **settings.keep("true"))
if "real_image" in st.session_state:
    k = st.session_state["real_image"]
    st.caption(f"Scores loaded from validation image {k}, a {labels[ds.y_valid[k]]}.")
    st.image(ds.x_valid[k], width=84, alt=sentences.digit(labels[ds.y_valid[k]]))
p = losses.softmax(z / temp)
log_p = losses.log_softmax(z / temp)
plots.show(chart, figures.bars(p.numpy(), labels, highlight=true, y_range=(0, 1.1), height=260,
                                title=f"softmax(z / {temp:g}): they add up to {float(p.sum()):.3f}"))
a, b = st.columns([2, 1])
plots.show(a, figures.bars(log_p.numpy(), labels, highlight=true, y_title="log probability", text_format=".1f",
                            title="log-softmax: what the lesson's model outputs"))
b.metric("negative log-likelihood", f"{-float(log_p[true]):.3f}", help="-log p(true class)")
b.markdown(f"The model gave **{words.share(float(p[true]))}** to the true class {labels[true]}, so the loss is "
           f"-log({words.digits3(float(p[true]))}) = **{-float(log_p[true]):.3f}**. Certain and right: 0. "
           "Certain and wrong: huge.")

st.header("Binary cross-entropy, like the lesson's spreadsheet")
st.markdown("Cat (1) or dog (0)? Edit the predictions and targets; every term is recomputed.")
table = st.data_editor({"prediction p": [0.9, 0.1, 0.2, 0.8], "target y": [1, 0, 0, 1]}, num_rows="dynamic", key="bce",
                       column_config={"prediction p": st.column_config.NumberColumn(format="%.4f")})  # as the table under it
p_list, y_list = list(table["prediction p"]), list(table["target y"])
problem = losses.check_binary(p_list, y_list)
if problem:
    st.error(words.plain(problem))
else:
    looks.table(losses.bce_rows(p_list, y_list))
    formula = losses.binary_cross_entropy(torch.tensor(p_list, dtype=torch.float64), torch.tensor(y_list,
                                                                                                  dtype=torch.float64)).item()
    c1, c2 = st.columns(2)
    c1.metric("formula: mean of -(y log p + (1-y) log(1-p))", f"{formula:.4f}")
    c2.metric("if-statement version", f"{losses.binary_cross_entropy_if(p_list, [int(v) for v in y_list]):.4f}")
    st.caption("The lesson's four rows give 0.164. Since y is 0 or 1, only one of the two terms ever counts: "
               "that is the if-statement.")

st.header("Categorical cross-entropy: the same idea over ten classes")
st.markdown(f"With a one-hot target (1 for {labels[true]}, 0 elsewhere), add up -y log p over the classes: only the "
            "true class's term survives, which is exactly the negative log-likelihood. Five ways, one number:")
one_hot = [1 if c == true else 0 for c in range(10)]
looks.table([{"class": labels[c], "one-hot y": one_hot[c], "p": f"{float(p[c]):.4f}",
              "-y log p": f"{-float(log_p[c]) if one_hot[c] else 0.0:.4f}"} for c in range(10)])
looks.table([{"computed as": k, "loss": f"{v:.10f}"} for k, v in losses.cross_entropy_five_ways(z / temp, true).items()])

st.header("Why we subtract the maximum")
big = z / temp * 100
st.markdown(f"Multiply the sliders by 100 (largest score {float(big.max()):.0f}): exp of anything above about 88 "
            "overflows a 32-bit float.")
naive, stable = losses.naive_softmax(big), losses.softmax(big)
looks.table([{"class": labels[c], "naive: exp(z) / sum exp(z)": f"{float(naive[c]):.3f}",  # a class per row: fits a phone
              "exp(z - max z) / sum": f"{float(stable[c]):.3f}"} for c in range(10)])

st.header("From probabilities to predictions: argmax and accuracy")
all_probs, note = session.probabilities()  # (N, 10)
st.caption(note)
probs = all_probs[:12]  # (12, 10)
preds = probs.argmax(axis=1)
fig = figures.image(probs, "probabilities of the first 12 validation images: shape (12, 10)", zmin=0, zmax=1,
                    colorscale="Blues", height=420, hover="image %{y}, class %{x}: %{z:.3f}", colorbar_title="p")
fig.update_xaxes(title="class (axis 1)", tickvals=list(range(10)), ticktext=labels)
fig.update_yaxes(title="image (axis 0)", scaleanchor=None)
plots.show(st, fig)
y12 = ds.y_valid[:12]
st.code(f"preds = probs.argmax(axis=1)   # {preds.tolist()}\ny      = {y12.tolist()}\n"
        f"(preds == y).mean()            # {float((preds == y12).mean()):.3f}", language="python")
st.metric("accuracy on all validation images", f"{float((all_probs.argmax(1) == ds.y_valid).mean()):.2%}")
settings.publish(*(f"z{c}" for c in range(10)), "temp", "true")
quiz.ask("softmax", {"z": z.tolist()}, ds.classes)
lesson_path.next_step(__file__)
