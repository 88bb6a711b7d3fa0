"""What the pages share: URL-mirrored settings, the cached data, plain-words errors."""

from collections.abc import Callable
from typing import Any

import streamlit as st
import torch

from mnistcore import devices, models
from mnistcore.data import Dataset, load_dataset
from mnistcore.errors import DataError
from mnistcore.prepare import Tensors, to_tensors
from mnistcore.train import TrainConfig, train


@st.cache_resource(show_spinner="Reading the images (once per server)...", max_entries=4)
def cached_dataset(name: str, resolved_source: str) -> Dataset:
    """Load a data set once per server process; every session shares this read-only copy."""
    return load_dataset(name, resolved_source)


def _save(key: str) -> None:
    """Copy a widget's new value into its page-independent store."""
    st.session_state[f"kept:{key}"] = st.session_state[key]


def keep(key: str, default: Any, parse: Callable[[str], Any] = None) -> dict:
    """Widget kwargs for a setting that survives page switches and is mirrored in the URL.

    Every value passes through `parse` before it reaches the widget: the URL's text on the
    first visit, and the kept value on every run after (a widget's bounds can change, as
    the gallery's page count does). A value `parse` refuses (ValueError) becomes `default`.
    """
    parse = parse or text(200)
    store = f"kept:{key}"
    if store not in st.session_state:
        st.session_state[store] = st.query_params.get(key, default)
    try:
        st.session_state[store] = parse(_as_text(st.session_state[store]))
    except (ValueError, TypeError, OverflowError):
        st.session_state[store] = default
    # Streamlit forgets a widget's state on runs where it is not drawn (another page),
    # so the widget is re-seeded from the store each run.
    st.session_state[key] = st.session_state[store]
    return {"key": key, "on_change": _save, "args": (key,)}


def _as_text(value: Any) -> str:
    """A kept value as the URL would spell it, so one parser checks both."""
    return ",".join(map(str, value)) if isinstance(value, tuple) else str(value)


def publish(*keys: str) -> None:
    """Write the current value of each kept `key` into the URL so the view can be shared."""
    for key in keys:
        value = st.session_state.get(f"kept:{key}")
        if value is not None:
            st.query_params[key] = _as_text(value)


def in_range(lo: float, hi: float, cast: Callable[[str], Any]) -> Callable[[str], Any]:
    """A URL parser accepting values from `lo` to `hi`, read with `cast`."""
    def parse(raw: str) -> Any:
        value = cast(raw)
        if not lo <= value <= hi:
            raise ValueError(raw)
        return value
    return parse


def int_in(lo: int, hi: int) -> Callable[[str], int]:
    """A URL parser accepting integers from `lo` to `hi`."""
    return in_range(lo, hi, int)


def float_in(lo: float, hi: float) -> Callable[[str], float]:
    """A URL parser accepting numbers from `lo` to `hi`."""
    return in_range(lo, hi, float)


def pair_in(lo: int, hi: int) -> Callable[[str], tuple[int, int]]:
    """A URL parser for a range slider: two integers from `lo` to `hi`, given in any order."""
    def parse(raw: str) -> tuple[int, int]:
        a, b = sorted(int(p) for p in raw.strip("()[] ").split(","))  # not exactly two: ValueError
        if not lo <= a <= b <= hi:
            raise ValueError(raw)
        return a, b
    return parse


def text(max_length: int) -> Callable[[str], str]:
    """A URL parser for free text of at most `max_length` characters."""
    def parse(raw: str) -> str:
        if len(raw) > max_length:
            raise ValueError("too long")
        return raw
    return parse


def flag(raw: str) -> bool:
    """A URL parser for a toggle: "True" or "False"."""
    return one_of(["True", "False"])(raw) == "True"


def one_of(options, cast: Callable[[str], Any] = str) -> Callable[[str], Any]:
    """A URL parser accepting only the given `options` (read with `cast`)."""
    def parse(raw: str) -> Any:
        value = cast(raw)
        if value not in options:
            raise ValueError(raw)
        return value
    return parse


def dataset() -> Dataset:
    """The data set the sidebar chose (loaded by app.py)."""
    return st.session_state["dataset"]


def device() -> torch.device:
    """The device the sidebar chose."""
    return devices.pick(st.session_state.get("kept:device", "auto"))


def seed() -> int:
    """The seed the sidebar chose."""
    return int(st.session_state.get("kept:seed", 0))


def explain(error: Exception) -> str:
    """Plain words for an error from the core."""
    if isinstance(error, DataError):
        return f"The data could not be used: {error}"
    return f"Something went wrong: {error}"


# Cached functions take the data set as `_ds` (not hashed) and its `key` as the cache key.
@st.cache_data(show_spinner="Training the lesson's model for one epoch...", max_entries=4)
def _quick_state(_ds: Dataset, key: str, seed: int) -> dict:
    """The lesson's model after one epoch on `_ds` (state only: each session builds its own model)."""
    result = train(TrainConfig(seed=seed), prepared(_ds, "cpu"))
    return {k: v.clone() for k, v in result.model.state_dict().items()}


@st.cache_resource(max_entries=6)
def _prepared(_ds: Dataset, key: str, device: str, scale: str) -> Tensors:
    """Tensors for one data set on one device, shared read-only by all sessions."""
    return to_tensors(_ds, device, scale)


def prepared(ds: Dataset, device: str | torch.device, scale: str = "normalized") -> Tensors:
    """The data set's tensors on `device`, built once per server."""
    return _prepared(ds, ds.key, str(device), scale)


def session_model() -> tuple[torch.nn.Module, str]:
    """The model this session trained last, or the lesson's model trained now; and a note saying which."""
    ds = dataset()
    trained = st.session_state.get("trained")
    if trained is not None and trained["dataset"] == ds.key:
        # The pages evaluate on the CPU copy of the data; a finished run's model may still sit on the GPU.
        return trained["model"].cpu().eval(), trained["note"]
    model = models.build("linear")
    model.load_state_dict(_quick_state(ds, ds.key, seed()))
    return model.eval(), ("No model trained in this session yet, so the lesson's model (Adam, lr 1e-3, batch 64) "
                          "was just trained for one epoch on these images.")


def accuracy(model: torch.nn.Module, ds: Dataset) -> float:
    """Validation accuracy of `model` on `ds`."""
    from mnistcore.train import evaluate
    data = prepared(ds, "cpu")
    return evaluate(model.cpu(), data.x_valid, data.y_valid)[1]
