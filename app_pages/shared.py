"""What the pages share: URL-mirrored settings, the cached data, plain-words errors."""

import gc
import re
import threading
from collections.abc import Callable
from concurrent.futures import Future, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import streamlit as st
import torch

from mnistcore import devices, learning, models, train
from mnistcore import normalize as N
from mnistcore.data import Dataset, load_dataset
from mnistcore.errors import DataError
from mnistcore.prepare import Tensors, to_tensors
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
    from_link = store not in st.session_state and key in st.query_params
    if store not in st.session_state:
        st.session_state[store] = st.query_params.get(key, default)
    try:
        st.session_state[store] = parse(_as_text(st.session_state[store]))
    except (ValueError, TypeError, OverflowError):
        if from_link:  # a teacher's typo in a shared link must not pass silently
            st.toast(f"The link's {plain(key[:40])}={plain(st.query_params.get(key, '')[:80])} was not understood, so this "
                     f"page uses {plain(_as_text(default))} instead.", icon=":material/link_off:")
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


def one_of(options, cast: Callable[[str], Any] = str, aliases: dict[str, Any] | None = None) -> Callable[[str], Any]:
    """A URL parser accepting only the given `options` (read with `cast`), and the other spellings in `aliases`."""
    def parse(raw: str) -> Any:
        value = (aliases or {}).get(raw.strip().lower(), None)
        value = cast(raw) if value is None else value
        if value not in options:
            raise ValueError(raw)
        return value
    return parse


MARKUP = re.compile(r"([\\`*_\[\]<>!|~$#{}@])")  # what can open a link, image, code span, tag, heading, math or mail link


ZWSP = "\u200b"  # an invisible break: Streamlit's Markdown links bare addresses even when their marks are escaped


def plain(text: Any) -> str:
    """`text` shown as itself in Markdown, on one line: every mark that can start a link, image, code span, tag,
    heading or formula escaped (CommonMark lets any punctuation be escaped with a backslash), and bare addresses
    (http://, www., name@host) broken by an invisible space, since GFM links those whatever is escaped
    (tests/test_hostile_text.py shows it in Chromium). Ordinary words, colons and dashes read unchanged."""
    escaped = MARKUP.sub(r"\\\1", str(text)).replace("\r", " ").replace("\n", " ")
    escaped = re.sub(r":(?=//)", ":" + ZWSP, escaped)  # after the scheme's colon: no autolink
    escaped = re.sub(r"(?i)\b(www)\.", r"\1" + ZWSP + ".", escaped)  # between www and its dot
    return escaped.replace("\\@", ZWSP + "\\@")  # before the @ of an e-mail address


def digits3(x: float) -> str:
    """`x` with three significant digits, never rounded to nothing: 0.123, 0.00412, 4.1e-31."""
    return f"{x:.3f}" if x == 0 or abs(x) >= 0.1 else f"{x:.3g}"


def share(p: float) -> str:
    """A probability as a percentage with the digits it needs: 91.2%, 0.41%, 3.97e-29%."""
    return f"{p:.1%}" if p == 0 or p >= 0.01 else f"{p * 100:.3g}%"


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
        return f"The data could not be used: {plain(error)}"
    return f"Something went wrong: {plain(error)}"


# Cached functions take the data set as `_ds` (not hashed) and its `key` as the cache key.
@st.cache_resource(max_entries=128, show_spinner=False)
def _task(_fn: Callable, _ds: Dataset | None, name: str, key: str, args: tuple) -> Future:
    """`_fn(_ds, *args)` (or `_fn(*args)` without a data set) submitted once per server to a worker process."""
    return workers.submit(_fn, *args) if _ds is None else workers.submit(_fn, _ds, *args)


def _task_args(fn: Callable, ds: Dataset | None, args: tuple) -> tuple:
    """What `_task` is called with (and keyed by) for `fn(ds, *args)`."""
    return fn, ds, fn.__qualname__, ds.key if ds is not None else "", args


def _start(fn: Callable, ds: Dataset | None, *args) -> Future:
    """The future of `fn(ds, *args)`, submitted on the first call for these arguments."""
    return _task(*_task_args(fn, ds, args))


def computed(fn: Callable, ds: Dataset | None, *args, waiting: str) -> Any:
    """`fn(ds, *args)` (`fn(*args)` when `ds` is None), computed once per server in a worker process,
    off this page's thread.

    A page that needs it before it is ready shows `waiting` with a spinner; its thread sleeps
    meanwhile, so other students' pages are not held up.
    """
    for _ in range(2):
        future = _start(fn, ds, *args)
        if not future.done():
            with st.spinner(waiting):
                wait([future])
        try:
            return future.result()
        except BrokenProcessPool:  # its worker was killed (out of memory?): one fresh try
            _task.clear()
        except Exception as error:  # not kept: the next page that asks tries again, instead of every page getting it
            _task.clear(*_task_args(fn, ds, args))
            failed(f"{explain(error).rstrip('.')}. Reload the page to try again.")
            raise
    failed("This part of the page could not be computed: its worker process keeps dying (the server may be short of "
           "memory). Reload the page to try again.")
    raise RuntimeError(f"{fn.__name__} could not be computed: its worker process keeps dying")


def one_by_one(fn: Callable, ds: Dataset, items: list) -> dict:
    """The results of `fn(ds, item)` for the items finished so far, in order.

    Each runs once per server in a worker process, the next one only when a page finds the one before
    it finished: one at a time, so that timings do not slow each other. A page polls this to show progress.
    """
    done = {}
    for item in items:
        future = _start(fn, ds, item)
        if not future.done():
            break
        if future.exception() is not None:  # not kept: the next page that asks tries again
            _task.clear(*_task_args(fn, ds, (item,)))
            failed(f"{explain(future.exception()).rstrip('.')}. Reload the page to try again.")
            break
        done[item] = future.result()
    return done


def failed(message: str) -> None:
    """Say why in the page and end this run of it (outside a page, in tests, this only returns)."""
    st.error(message, icon=":material/error:")
    st.stop()


def prefetch(ds: Dataset) -> None:
    """Start, in the background, what the pages will need for this data set and seed (each once per server)."""
    workers.warm()
    _start(train.lesson_model_file, ds, seed())
    _start(N.scale_race, ds, N.RACE_STEPS, N.RACE_LR["adam"], "adam", seed())
    _start(N.colour_demo, ds, seed())
    _start(learning.relu_fits, None, "sine", learning.UNITS, 1500, seed())  # the learning page's first curve


@st.cache_resource(max_entries=6)
def _prepared(_ds: Dataset, key: str, device: str, scale: str) -> Tensors:
    """Tensors for one data set on one device, shared read-only by all sessions (and, on the CPU, by the runs'
    worker processes, through shared memory)."""
    tensors = to_tensors(_ds, device, scale)
    return workers.share(tensors) if device == "cpu" else tensors


def prepared(ds: Dataset, device: str | torch.device, scale: str = "normalized") -> Tensors:
    """The data set's tensors on `device`, built once per server."""
    return _prepared(ds, ds.key, str(device), scale)


def session_model() -> tuple[torch.nn.Module, str]:
    """The model this session trained last, or the lesson's model trained in the background; and a note saying which."""
    ds = dataset()
    trained = st.session_state.get("trained")
    if trained is not None and trained["dataset"] == ds.key:
        # The pages evaluate on the CPU copy of the data; a finished run's model may still sit on the GPU.
        return trained["model"].cpu().eval(), trained["note"]
    weights = computed(train.lesson_model_file, ds, seed(), waiting="Training the lesson's model for one epoch (once per server)...")
    return models.from_file(weights).eval(), ("No model trained in this session yet, so the lesson's model (Adam, lr 1e-3, batch 64) "
                                              "was trained for one epoch on these images.")


def accuracy(model: torch.nn.Module, ds: Dataset) -> float:
    """Validation accuracy of `model` on `ds`."""
    from mnistcore.train import evaluate
    data = prepared(ds, "cpu")
    return evaluate(model.cpu(), data.x_valid, data.y_valid)[1]
