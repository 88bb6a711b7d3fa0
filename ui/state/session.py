"""This session's choices and results: the data set and device the sidebar chose, the seed, and the model
the pages evaluate (the one this session trained or uploaded last, else the lesson's)."""

from dataclasses import dataclass

import numpy as np
import streamlit as st
import torch

from mnistcore import devices, models, predictions, train, transfer
from mnistcore.data import Dataset
from ui.state import server_work, settings, shared_data
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
    stats: tuple[float, float] | None = None  # the mean and std its inputs are normalized with: None, the data set's
    # own TRAIN statistics; MNIST's for a model that first learned from MNIST (mnistcore/transfer.py)


def keep_model(model: torch.nn.Module, dataset_key: str, note: str, stats: tuple[float, float] | None = None) -> None:
    """Make `model` the one the pages evaluate, for data set `dataset_key` (read on the scale of `stats`)."""
    st.session_state["trained"] = Trained(model, dataset_key, note, stats)


def trained() -> Trained | None:
    """The model this session trained or uploaded last, if any."""
    return st.session_state.get("trained")


def model() -> tuple[torch.nn.Module, str]:
    """The model this session trained last, or the lesson's model trained in the background; and a note saying which."""
    ds, mine = dataset(), trained()
    if mine is not None and mine.dataset_key == ds.key:
        # The pages evaluate on the CPU copy of the data; a finished run's model may still sit on the GPU.
        return mine.model.cpu().eval(), mine.note
    if transfer.reads_digits(ds):  # digits of our own: what the lesson's model, as the lesson trained it, makes of them
        return lesson_model(shared_data.mnist()), ("No model trained on these digits in this session yet, so the "
                                                   "lesson's model reads them: trained for one epoch on MNIST only "
                                                   "(Adam, lr 1e-3, batch 64), it never saw them.")
    return lesson_model(ds, seed()), ("No model trained in this session yet, so the lesson's model (Adam, lr 1e-3, "
                                      "batch 64) was trained for one epoch on these images.")


def stats() -> tuple[float, float]:
    """The mean and std the pages' model reads its inputs with: MNIST's for a model that learned there first, else
    the TRAIN statistics of the data set in use."""
    ds, mine = dataset(), trained()
    if mine is not None and mine.dataset_key == ds.key:
        chosen = mine.stats
    else:
        chosen = shared_data.home_stats() if transfer.reads_digits(ds) else None
    if chosen is None:
        data = prepared(ds, "cpu")
        return data.mean, data.std
    return chosen


def valid_inputs() -> torch.Tensor:
    """The data set's validation images (N, 784) as the pages' model reads them (`stats`)."""
    ds, (mean, std) = dataset(), stats()
    data = prepared(ds, "cpu")
    if (mean, std) == (data.mean, data.std):
        return data.x_valid
    kept = st.session_state.get("valid_inputs")
    if kept is None or kept[0] != (ds.key, mean, std):
        kept = ((ds.key, mean, std), transfer.normalized(ds.x_valid, mean, std))
        st.session_state["valid_inputs"] = kept
    return kept[1]


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
        kept = (model_, ds.key, predictions.probabilities(model_, valid_inputs()))
        st.session_state["probabilities"] = kept
    return kept[2], note


def accuracy(model: torch.nn.Module, ds: Dataset) -> float:
    """Validation accuracy of `model` on `ds`."""
    data = prepared(ds, "cpu")
    return train.evaluate(model.cpu(), data.x_valid, data.y_valid)[1]
