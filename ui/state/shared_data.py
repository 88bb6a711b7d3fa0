"""What every session of a server shares, read-only: the data sets and their tensors, one copy per server
process; and the imports' objects, frozen out of garbage collection."""

import gc
import threading

import streamlit as st
import torch

from mnistcore import normalize, transfer
from mnistcore.data import Dataset, load_dataset, resolve
from mnistcore.errors import DataError
from mnistcore.prepare import Tensors, to_tensors, train_stats
from mnistcore.serving import workers

_frozen = threading.Lock()


def freeze_startup_objects() -> None:
    """Keep what the imports made out of every later garbage collection (once per server process).

    A full collection walks every tracked object while it holds the interpreter lock: here about
    300,000 from torch, pandas, plotly and Streamlit, 0.19-0.29 s each time, three times in half a
    minute of a class training, and the web server answered nobody meanwhile (bench/class_bench.py).
    Frozen, they are skipped; the sessions' own garbage is still collected.
    """
    if _frozen.acquire(blocking=False):  # never released: only the first run freezes
        gc.freeze()


@st.cache_resource(show_spinner="Reading the images (once per server)...", max_entries=4)
def cached_dataset(name: str, resolved_source: str) -> Dataset:
    """Load a data set once per server process; every session shares this read-only copy."""
    return load_dataset(name, resolved_source)


def mnist() -> Dataset:
    """MNIST: the full set where this server has it, else the shipped sample (what the lesson's model trains on)."""
    try:
        return cached_dataset("mnist", resolve("mnist", "auto"))
    except DataError:
        return cached_dataset("mnist", "sample")


@st.cache_data(max_entries=2, show_spinner=False)
def _home_stats(_ds: Dataset, key: str) -> tuple[float, float]:
    """`train_stats` of the data set whose key is `key`."""
    return train_stats(_ds)


def home_stats() -> tuple[float, float]:
    """MNIST's TRAIN mean and std: the scale of the inputs the lesson's model, and any model that first learned from
    MNIST, reads (mnistcore/transfer.py)."""
    home = mnist()
    return _home_stats(home, home.key)


def for_run(ds: Dataset, way: str) -> Tensors:
    """What a run that uses our digits `way` (choices.LEARN) trains and checks on: the data set's own tensors, or, for
    a model that learns from MNIST, ours on MNIST's scale (with MNIST's shared training tensors, to check), once per
    session and data set."""
    if way == transfer.ALONE or not transfer.reads_digits(ds):
        return prepared(ds, "cpu")
    key = (ds.key, way)
    held = st.session_state.get("run_tensors")
    if held is None or held[0] != key:
        home = prepared(mnist(), "cpu")
        tensors = transfer.checked_on(home, ds) if way == transfer.CHECK else transfer.added_to(home, ds)
        held = (key, workers.share(tensors))
        st.session_state["run_tensors"] = held
    return held[1]


@st.cache_resource(max_entries=6)
def _prepared(_ds: Dataset, key: str, device: str, scale: str) -> Tensors:
    """Tensors for one data set on one device, shared read-only by all sessions (and, on the CPU, by the runs'
    worker processes, through shared memory)."""
    tensors = to_tensors(_ds, device, scale)
    return workers.share(tensors) if device == "cpu" else tensors


def prepared(ds: Dataset, device: str | torch.device, scale: str = "normalized") -> Tensors:
    """The data set's tensors on `device`, built once per server; a session's own images' (`name` "folders"), once
    per session, in the session: a class's uploads must not push the shared sets out of the server's few."""
    if ds.name != "folders":
        return _prepared(ds, ds.key, str(device), scale)
    key = (ds.key, str(device), scale)
    held = st.session_state.get("own_tensors")
    if held is None or held[0] != key:
        tensors = to_tensors(ds, device, scale)
        held = (key, workers.share(tensors) if str(device) == "cpu" else tensors)
        st.session_state["own_tensors"] = held
    return held[1]


@st.cache_data(max_entries=4)
def _statistics(_ds: Dataset, key: str) -> dict:
    """`normalize.statistics` of the data set whose key is `key`."""
    return normalize.statistics(_ds)


def statistics(ds: Dataset) -> dict:
    """Train and valid means and standard deviations of `ds` (a fraction of a second, once per data set and server)."""
    return _statistics(ds, ds.key)
