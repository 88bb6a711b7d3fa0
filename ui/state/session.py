"""This session's choices and results: the data set and device the sidebar chose, the seed, and the model
the pages evaluate (the one this session trained or uploaded last, else the lesson's)."""

from dataclasses import dataclass

import numpy as np
import streamlit as st
import torch

from mnistcore import devices, models, predictions, train
from mnistcore.data import Dataset
from ui.state import server_work, settings
from ui.state.shared_data import prepared


def dataset() -> Dataset:
    """The data set the sidebar chose (loaded by app.py)."""
    return st.session_state["dataset"]


def device() -> torch.device:
    """The device the sidebar chose."""
    return devices.pick(settings.value("device"))


def seed() -> int:
    """The seed the sidebar chose."""
    return int(settings.value("seed"))


@dataclass
class Trained:
    """A model this session made or loaded, the data set it belongs to, and a sentence saying what it is."""
    model: torch.nn.Module
    dataset_key: str
    note: str


def keep_model(model: torch.nn.Module, dataset_key: str, note: str) -> None:
    """Make `model` the one the pages evaluate, for data set `dataset_key`."""
    st.session_state["trained"] = Trained(model, dataset_key, note)


def trained() -> Trained | None:
    """The model this session trained or uploaded last, if any."""
    return st.session_state.get("trained")


def model() -> tuple[torch.nn.Module, str]:
    """The model this session trained last, or the lesson's model trained in the background; and a note saying which."""
    ds, mine = dataset(), trained()
    if mine is not None and mine.dataset_key == ds.key:
        # The pages evaluate on the CPU copy of the data; a finished run's model may still sit on the GPU.
        return mine.model.cpu().eval(), mine.note
    return lesson_model(ds, seed()), ("No model trained in this session yet, so the lesson's model (Adam, lr 1e-3, "
                                      "batch 64) was trained for one epoch on these images.")


def lesson_model(ds: Dataset, seed_: int = 0) -> torch.nn.Module:
    """The lesson's model (Adam, lr 1e-3, batch 64) after one epoch on `ds`, trained once per server in a worker."""
    weights = server_work.result(train.lesson_model_file, ds, seed_,
                                 waiting=f"Training the lesson's model on {ds.title} for one epoch (once per server)...")
    return models.from_file(weights).eval()


def probabilities() -> tuple[np.ndarray, str]:
    """The pages' model's probabilities for every validation image of the data set in use (N, 10), and its note;
    computed once per model and data set in this session, whichever page asks."""
    model_, note = model()
    ds = dataset()
    kept = st.session_state.get("probabilities")
    if kept is None or kept[0] is not model_ or kept[1] != ds.key:
        kept = (model_, ds.key, predictions.probabilities(model_, prepared(ds, "cpu").x_valid))
        st.session_state["probabilities"] = kept
    return kept[2], note


def accuracy(model: torch.nn.Module, ds: Dataset) -> float:
    """Validation accuracy of `model` on `ds`."""
    data = prepared(ds, "cpu")
    return train.evaluate(model.cpu(), data.x_valid, data.y_valid)[1]
