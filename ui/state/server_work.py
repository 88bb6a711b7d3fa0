"""What pages compute once per server (the lesson's model, the normalization races, the ReLU fits, the speed
claims), in the page pool's worker processes, off the page's thread.

One future per (function, data set, arguments), shared by every session that asks. Work is keyed by values
a student controls (a seed in a link), so what one browser may queue is bounded: starting more cancels its
own oldest work that has not begun, and the table of futures is bounded too (a future dropped from it is
cancelled if it has not begun). Only the default view is computed ahead of a page's asking.
"""

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import CancelledError, Future, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import streamlit as st

from mnistcore import distort, learning, normalize, train
from mnistcore.data import Dataset
from mnistcore.serving import workers
from ui.show.words import explain, failed
from ui.state import browsers, registry

PER_BROWSER = 3  # computations one browser may have waiting to begin; a storm of links cancels its own oldest
MOST = 128  # futures kept per server: every page's results for a few data sets and seeds
DEFAULT_SEED = 0  # the view prefetch prepares; other seeds are computed when a page asks


def _key(fn: Callable, ds: Dataset | None, args: tuple) -> tuple:
    """What a computation is known by: the function, the data set's key and the arguments."""
    return fn.__module__, fn.__qualname__, ds.key if ds is not None else "", args


class Computations:
    """The server's table of page computations: one future per key, bounded in all and per browser."""

    def __init__(self, most: int = MOST, per_browser: int = PER_BROWSER, submit: Callable = workers.submit):
        """An empty table whose work goes to `submit` (the page pool)."""
        self.most, self.per_browser, self._submit = most, per_browser, submit
        self._lock = threading.Lock()
        self._futures: OrderedDict[tuple, Future] = OrderedDict()
        self._asked_by: dict[tuple, str] = {}  # key -> the browser whose asking submitted it

    def start(self, fn: Callable, ds: Dataset | None, args: tuple, browser: str) -> Future:
        """The future of `fn(ds, *args)` (`fn(*args)` without a data set), submitted on the first asking."""
        key = _key(fn, ds, args)
        with self._lock:
            future = self._futures.get(key)
            if future is not None and not future.cancelled():
                self._futures.move_to_end(key)
                return future
            waiting = [k for k, who in self._asked_by.items() if who == browser and not self._futures[k].running()
                       and not self._futures[k].done()]
            for old in waiting[: max(0, len(waiting) - self.per_browser + 1)]:  # make room: its oldest first
                if self._futures[old].cancel():
                    self._drop(old)
            future = self._submit(fn, *args) if ds is None else self._submit(fn, ds, *args)
            self._futures[key], self._asked_by[key] = future, browser
            for old in list(self._futures)[: max(0, len(self._futures) - self.most)]:
                self._futures[old].cancel()  # one that has not begun never will; one under way finishes unread
                self._drop(old)
            return future

    def forget(self, fn: Callable | None = None, ds: Dataset | None = None, args: tuple = ()) -> None:
        """Drop one computation (it failed: the next page that asks tries again), or all of them (fn None)."""
        with self._lock:
            keys = list(self._futures) if fn is None else [_key(fn, ds, args)]
            for key in keys:
                if key in self._futures:
                    self._drop(key)

    def _drop(self, key: tuple) -> None:
        """Remove `key` from the table (the lock is held)."""
        del self._futures[key]
        self._asked_by.pop(key, None)

    def waiting_for(self, browser: str) -> int:
        """How many of `browser`'s computations have not begun yet."""
        with self._lock:
            return sum(1 for k, who in self._asked_by.items() if who == browser and not self._futures[k].running()
                       and not self._futures[k].done())


@st.cache_resource
def table() -> Computations:
    """This server's one table of computations."""
    return Computations()


def start(fn: Callable, ds: Dataset | None, *args) -> Future:
    """The future of `fn(ds, *args)`, submitted on the first asking, on behalf of this session's browser."""
    return table().start(fn, ds, args, browsers.owner())


def result(fn: Callable, ds: Dataset | None, *args, waiting: str) -> Any:
    """`fn(ds, *args)` (`fn(*args)` when `ds` is None), computed once per server in a worker process.

    A page that needs it before it is ready shows `waiting` with a spinner; its thread sleeps meanwhile, so
    other students' pages are not held up.
    """
    for _ in range(3):
        future = start(fn, ds, *args)
        if not future.done():
            with st.spinner(waiting):
                wait([future])
        try:
            return future.result()
        except CancelledError:  # the browser that asked first cancelled it: ask again, as this browser
            continue
        except BrokenProcessPool:  # its worker was killed (out of memory?): one fresh try
            table().forget()
        except Exception as error:  # not kept: the next page that asks tries again, instead of every page getting it
            table().forget(fn, ds, args)
            failed(f"{explain(error).rstrip('.')}. Reload the page to try again.")
            raise
    failed("This part of the page could not be computed: its worker process keeps dying (the server may be short of "
           "memory). Reload the page to try again.")
    raise RuntimeError(f"{fn.__name__} could not be computed: its worker process keeps dying")


def in_order(fn: Callable, ds: Dataset, items: list) -> dict:
    """The results of `fn(ds, item)` for the items finished so far, in order.

    Each runs once per server in a worker process, the next one only when a page finds the one before it
    finished: one at a time, so that timings do not slow each other. A page polls this to show progress.
    """
    done = {}
    for item in items:
        future = start(fn, ds, item)
        if not future.done():
            break
        if future.cancelled():
            break  # asked again at the next poll
        if future.exception() is not None:  # not kept: the next page that asks tries again
            table().forget(fn, ds, (item,))
            failed(f"{explain(future.exception()).rstrip('.')}. Reload the page to try again.")
            break
        done[item] = future.result()
    return done


_curves_asked: "weakref.WeakSet[Future]" = weakref.WeakSet()  # lesson futures whose curves are asked for
_asked_lock = threading.Lock()


def prefetch(ds: Dataset, seed: int) -> None:
    """Start, in the background, what the pages' default view needs for this data set (each once per server).
    Other seeds are computed when a page asks: a link with a new seed must not start a server's worth of work."""
    workers.warm()
    if seed != DEFAULT_SEED:
        return
    race, steps, curve = (registry.entry(k).default for k in ("opt", "steps", "curve"))  # the pages' first views
    for fn, data, args in [(train.lesson_model_file, ds, (seed,)),
                           (normalize.scale_race, ds, (steps, normalize.RACE_LR[race], race, seed)),
                           (normalize.colour_demo, ds, (seed,)),
                           (learning.relu_fits, None, (curve, learning.UNITS, learning.RELU_STEPS, seed))]:
        table().start(fn, data, args, "the server")  # the server's own asking: no student's bound counts it
    computations, lesson = table(), table().start(train.lesson_model_file, ds, (seed,), "the server")

    def curves(done: Future) -> None:
        """The Break it page's curves, which need the lesson's weights: asked for as soon as they exist, so that the
        server's own work for a data set comes in one go (not on whichever page's run happens to come next)."""
        if not done.cancelled() and done.exception() is None:
            computations.start(distort.curves, ds, (done.result(), seed), "the server")

    with _asked_lock:
        if lesson in _curves_asked:  # every page run prefetches: one callback per lesson future, not one per run
            return
        _curves_asked.add(lesson)
    lesson.add_done_callback(curves)  # at once when it is done already
