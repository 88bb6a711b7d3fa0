"""The Break it page's second part: what a linear model reads with its weights edited, and its two pictures, built
once per model and edits for every session (a switch move above reruns the page and finds them ready)."""

import hashlib
from dataclasses import astuple

import streamlit as st
import torch

from mnistcore import figures, models, surgery
from mnistcore.data import Dataset
from mnistcore.figures import robustness, sentences
from ui.show import plots


def token(model: torch.nn.Module) -> str:
    """What tells one model's weights from any other's: a hash of its weights file."""
    return hashlib.sha256(models.to_file(model)).hexdigest()


@st.cache_resource(max_entries=64)
def _edited(key: tuple, edits: tuple, _model: torch.nn.Module, _ds: Dataset, _x: torch.Tensor) -> tuple:
    """The study of `edits` (as a tuple of surgery.Edits's fields) on the model and data set `key` names, with its
    confusion matrix and templates as figures (read only: every session shares them)."""
    edit = surgery.Edits(*edits)
    before, after, alone = surgery.study(_model, edit, _x, _ds.y_valid)
    labels = list(_ds.classes)
    return (before, after, alone, figures.confusion(after.counts, labels, height=420),
            robustness.template_rows({"after the edits": after.weights}, labels))


def show(model: torch.nn.Module, edits: surgery.Edits, ds: Dataset, x: torch.Tensor) -> None:
    """The edited model's accuracy and what each edit shows, its confusion matrix and its ten templates."""
    before, after, alone, confusion, templates = _edited((ds.key, token(model)), astuple(edits), model, ds, x)
    left, right = st.columns(2)
    left.metric("accuracy after the edits", f"{after.accuracy:.1%}", border=True, help=f"{before.accuracy:.2%} as trained",
                delta=f"{100 * (after.accuracy - before.accuracy):+.1f} points" if edits != surgery.Edits() else None)
    for sentence in surgery.says(edits, before, alone, ds.classes) or ["Switch an edit on: each one says here what it shows."]:
        left.markdown(sentence)
    plots.show(right, confusion, said=sentences.confusion(after.counts, ds.classes))
    plots.show(st, templates, said=f"The ten templates after the edits, each on its own colour scale: "
                                   f"{surgery.range_words(after)}", config={"displayModeBar": False})
