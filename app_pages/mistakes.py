"""The model's mistakes: a confusion matrix, a gallery of errors, the evidence, and your own digit."""

import numpy as np
import streamlit as st
import torch

from mnistcore import digits, figures, models, predictions, transfer
from mnistcore.figures import sentences
from mnistcore.serving import uploads
from ui.course import lesson_path, quiz
from ui.show import canvas, plots, words
from ui.state import session, settings

PER_PAGE = 20
ds = session.dataset()
labels = list(ds.classes)
st.title("The model's mistakes")
probs, note = session.probabilities()  # (N, 10)
model = session.model()[0]  # the evidence below reads its weights
st.caption(note)
preds = probs.argmax(axis=1)
counts = predictions.confusion(ds.y_valid, preds)
st.markdown(f"It gets **{(preds == ds.y_valid).mean():.2%}** of the {len(preds):,} validation images right, "
            f"so {int((preds != ds.y_valid).sum()):,} wrong. Where do the mistakes go?")

st.header("Confusion matrix")
normalized = st.toggle("Show rates per true class instead of counts", **settings.keep("rates"))
cell = settings.value("cell")
event = plots.show(st, figures.confusion(counts, labels, normalized=normalized, selected=cell),
                    said=sentences.confusion(counts, labels), on_select="rerun", selection_mode="points", key="confusion")
points = event.selection.points if event and event.selection else []
if points:
    cell = (int(points[0]["y"]), int(points[0]["x"]))
    settings.put("cell", cell)
st.caption("Rows are the true class, columns the prediction: the diagonal is right, the rest wrong. "
           "Click a cell to see those images below (on a touch screen, tap it twice: the first tap shows its count).")
common = predictions.worst_cells(counts, 10)  # [(true, predicted)]: the same choice by keyboard, or by a tap on a phone
picked = st.selectbox("Or pick one of the ten most common mistakes", common, placeholder="a true class and its prediction",
                      index=common.index(tuple(cell)) if cell and tuple(cell) in common else None,
                      format_func=lambda rc: f"true {labels[rc[0]]}, predicted {labels[rc[1]]} ({counts[rc]:,} images)")
if picked is not None and (not cell or tuple(cell) != picked):
    cell = picked
    settings.put("cell", cell)

st.header("Gallery")
c = st.columns(3)
which = c[0].radio("Show", ["wrong", "unsure"], format_func={"wrong": "mistakes", "unsure": "right, but unsure"}.get,
                   horizontal=True, **settings.keep("which"))
order = c[1].selectbox("Order", predictions.ORDERS, disabled=which != "wrong",
                       **settings.keep("mistake_order"))
if cell and which == "wrong" and cell[0] != cell[1]:
    c[2].markdown(f"Only true **{labels[cell[0]]}** predicted as **{labels[cell[1]]}**")
    if c[2].button("Show all mistakes"):
        settings.put("cell", None)
        cell = None
        st.rerun()
pair = cell if (cell and which == "wrong" and cell[0] != cell[1]) else (None, None)
ranked = predictions.rank(probs, ds.y_valid, which, order, *pair, seed=session.seed())
n_pages = max(1, -(-len(ranked.index) // PER_PAGE))
page = (st.number_input(f"Page (of {n_pages})", 1, n_pages, **settings.keep("page", 1, n_pages))
        if n_pages > 1 else 1)
show = slice((page - 1) * PER_PAGE, page * PER_PAGE)
idx = ranked.index[show]
if len(idx) == 0:
    st.info("Nothing to show here.")
for row in range(0, len(idx), 5):
    for col, n in zip(st.columns(5), range(row, min(row + 5, len(idx)))):
        k = int(idx[n])
        top = np.argsort(-probs[k])[:3]
        col.image(ds.x_valid[k], width=84, alt=sentences.digit(labels[ranked.true[show][n]], labels[ranked.pred[show][n]],
                                                               float(probs[k, ranked.pred[show][n]])))
        col.markdown(f"**#{(page - 1) * PER_PAGE + n + 1}** true **{labels[ranked.true[show][n]]}** → "
                     f"**{labels[ranked.pred[show][n]]}**  \n" + " · ".join(f"{labels[j]}: {probs[k, j]:.0%}" for j in top))
        col.button("Look closer", key=f"look{n}", on_click=st.session_state.__setitem__, args=("tile", n))
plots.show(st, figures.bars(predictions.per_class_accuracy(probs, ds.y_valid), labels, y_title="accuracy", y_range=(0, 1.1),
                             title="Accuracy per true class", text_format=".0%"))


def evidence_for(x_img: np.ndarray, x_norm: torch.Tensor, true: int | None) -> None:
    """Probabilities and pixel-by-pixel evidence for one image."""
    ev = predictions.explain(model, x_norm, true)
    p, pred, other = ev.probabilities, ev.predicted, ev.other
    a, b = st.columns([1, 2])
    plots.show(a, figures.image(x_img, "the image", zmin=0, zmax=1, show_scale=False, height=280))
    plots.show(b, figures.bars(p, labels, highlight=pred, y_range=(0, 1.15), title=f"predicted {labels[pred]} ({p[pred]:.0%})"))
    if models.kind_of(model) == "mlp":
        st.info("Pixel-by-pixel evidence exists only for the linear models: an MLP mixes pixels through hidden units.")
        return
    cols = st.columns(3)
    what = "the true class" if true is not None and true != pred else "the runner-up"
    for col, arr, title in ((cols[0], ev.for_predicted, f"for {labels[pred]} (predicted): {ev.for_predicted.sum():+.1f}"),
                            (cols[1], ev.for_other, f"for {labels[other]} ({what}): {ev.for_other.sum():+.1f}"),
                            (cols[2], ev.for_predicted - ev.for_other, f"{labels[pred]} minus {labels[other]}")):
        plots.show(col, figures.image(arr, title, colorscale=figures.DIVERGING, zmid=0, zmin=-ev.limit, zmax=ev.limit,
                                       height=340, show_scale=False))
    st.caption(f"weight × pixel, on one colour scale from {-ev.limit:.2f} (red) to {ev.limit:.2f} (blue) for all three: "
               "blue pixels pushed the score up, red ones down. The totals (plus each class's bias) "
               f"are the two scores; in the right-hand picture, blue strokes pulled the model toward {labels[pred]}.")


st.header("Look closer at one tile")
if len(idx):
    pick = st.selectbox("Tile", range(len(idx)), format_func=lambda n: f"#{(page - 1) * PER_PAGE + n + 1}: "
                        f"true {labels[ranked.true[show][n]]}, predicted {labels[ranked.pred[show][n]]}", key="tile")
    k = int(idx[pick])
    evidence_for(ds.x_valid[k] / 255, session.valid_inputs()[k], int(ds.y_valid[k]))

st.header("Your own digit")
if ds.name != "mnist" and not transfer.reads_digits(ds):  # a drawing is prepared the way MNIST's digits were: it
    # means nothing to a model of clothes
    st.info(f"This part reads a handwritten digit, prepared the way MNIST's were, and the model in use reads "
            f"{ds.title}. Switch the sidebar's data set to MNIST to try your own digit.")
else:
    st.markdown("Draw one, or upload a photo of one. A photo first loses its lighting (each pixel compared with the paper "
                "around it), then only the digit's ink is kept. Then it is prepared the way MNIST was: white ink on black, "
                "cropped, fitted into 20 × 20, centred by mass in 28 × 28, and normalized with the training statistics.")
    drawn = canvas.drawing()
    upload = st.file_uploader("...or upload a photo", type=["png", "jpg", "jpeg", "gif", "webp", "bmp", "tif", "tiff"],
                              max_upload_size=uploads.MAX_IMAGE_BYTES // 2**20)
    source = upload.getvalue() if upload is not None else drawn
    if source is not None:
        try:
            img = uploads.image(source) if isinstance(source, bytes) else source
            prepared = digits.like_mnist(img)
        except uploads.UploadError as e:  # DigitError too: both say in words why
            st.error(f"That image cannot be used: {words.plain(e)}")
        else:
            for col, (title, step) in zip(st.columns(len(prepared.steps)), prepared.steps):
                col.image(np.nan_to_num(figures.thumbnail(step, 112)), caption=title, width="stretch", clamp=True,
                          alt=f"your digit, step {title}" + (": as the model sees it" if title.startswith("5.") else ""))
            mean, std = session.stats()
            evidence_for(prepared.digit, torch.tensor(digits.normalized(prepared.digit, mean, std)), None)
settings.publish("rates", "which", "mistake_order", "page")
quiz.ask("mistakes", {"counts": counts, "classes": ds.classes, "wrong": int((preds != ds.y_valid).sum()), "total": len(preds)},
         ds.classes)
lesson_path.next_step(__file__)
