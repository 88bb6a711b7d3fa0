"""A training run in a worker process, its controls, and the snapshots a page draws.

The web server never trains: a `Job` waits for a place in its line (serving.lines), then starts
serving.runner's `work` in a worker process (serving.workers: forked from a forkserver that has torch
imported, so a start costs tens of milliseconds). The worker reads the data set from shared memory, runs
at a lower CPU priority than the server, and sends its events back through a pipe; a thread in the server
keeps the latest numbers under a lock, and the page reads a `snapshot` when it polls.
"""

import copy
import multiprocessing as mp
import os
import threading
import time
import traceback
from dataclasses import dataclass, replace

import numpy as np
import torch
from torch import nn

from mnistcore import models
from mnistcore.control import Control
from mnistcore.prepare import Tensors
from mnistcore.serving import live
from mnistcore.serving.lines import CPU_SLOTS, GPU_SLOTS, Slots
from mnistcore.serving.runner import death_message, moved, work
from mnistcore.serving.workers import context, share
from mnistcore.train import Event, Result, TrainConfig


@dataclass
class Snapshot:
    """A consistent copy of a job's state for the page to draw."""

    status: str  # "waiting", "running", "paused", "done", "overshot", "stopped", "diverged" or "failed"
    events: list[Event]
    weights: np.ndarray | None
    weight_titles: list[str]
    step: int
    total_steps: int
    images_per_second: float
    seconds_left: float | None
    queue_position: int | None
    message: str


class Job:
    """A training run in a worker process; pause, resume and stop it from any thread."""

    def __init__(self, config: TrainConfig, data: Tensors, model: nn.Module | None = None,
                 slots: Slots | None = None, device: str | None = None,
                 dataset: tuple[str, str, tuple[str, ...]] = ("", "the data", tuple(map(str, range(10)))),
                 owner: object = None):
        """Prepare the run on `device` (default: where `data` is); `slots` is the line it waits in (None: the
        CPU's or the GPU's, by device). Pass CPU data for a GPU run: the worker makes its own GPU copy.
        `dataset` (key, title, class names) says which data set `data` came from, for whoever draws the run;
        `owner` (a browser) is whom the line is fair between (None: the run is its own owner)."""
        self.config, self.data, self.control, self.owner = config, data, Control(context()), owner
        self.dataset_key, self.dataset_title, self.dataset_classes = dataset
        self.device = device or str(data.x_train.device)
        self._model = copy.deepcopy(model) if model is not None else None  # the session's copy stays untouched
        self._slots = slots or (GPU_SLOTS if torch.device(self.device).type == "cuda" else CPU_SLOTS)
        self._lock = threading.Lock()
        self._events: list[Event] = []
        self._weights: np.ndarray | None = None
        self._weight_titles: list[str] = []
        self._status, self._message = "waiting", ""
        self.result: Result | None = None
        self._then: list = []  # called with the job once its result is in (the class board posts it)
        self.process: mp.process.BaseProcess | None = None
        self._thread = threading.Thread(target=self._supervise, name="mnist-job", daemon=True)

    def start(self) -> "Job":
        """Begin: wait in line for a slot, then train in a worker."""
        self._thread.start()
        return self

    def _supervise(self) -> None:
        """Wait for a slot, start the worker, and read what it sends until it ends."""
        owner = self if self.owner is None else self.owner
        if not self._slots.acquire(self, self.control, owner):
            self._set("stopped", "Stopped before it started.")
            return
        try:
            self._run_worker()
        finally:
            self._slots.release(self)

    def _run_worker(self) -> None:
        """Start the worker and turn its messages into state; a worker that dies becomes a message."""
        ctx = context()
        on_cpu = self.data.x_train.device.type == "cpu"
        cpu_data = share(self.data if on_cpu else moved(self.data, "cpu"))  # workers map shared CPU memory
        receive, send = ctx.Pipe(duplex=False)
        self.process = ctx.Process(target=work, name="mnist-train", daemon=True,
                                   args=(self.config, cpu_data, self.device, self._model, self.control, send, os.getpid()))
        self.process.start()
        send.close()  # the worker holds the only writing end now: its death closes the pipe
        self._set("running")
        while True:
            try:
                message = receive.recv()
            except (EOFError, OSError):
                break
            if message[0] == "events":
                self._on_events(message[1])
            elif message[0] == "result":
                self._finish(message[1], message[2])
            else:
                self._set("failed", message[1])
        self.process.join(5)
        if self._status == "running":  # no result and no words: the process was killed
            self._set("failed", death_message(self.process.exitcode))
        receive.close()

    def _on_events(self, events: list[Event]) -> None:
        """Keep the run's numbers and its newest weight picture: an event's picture (31 KB) is kept only until the next
        one comes, and the events are bounded (live.merged). Kept in full, a run at batch 16 grew the server by about
        10 MB a minute (bench/memory_bench.py), and kept it after Stop."""
        with self._lock:
            for event in events:
                if event.weights is not None:
                    self._weights, self._weight_titles = event.weights, event.weight_titles
                    event = replace(event, weights=None, weight_titles=None)
                self._events.append(event)
            self._events = live.merged(self._events)

    def _finish(self, result: Result, weights_file: bytes) -> None:
        """Rebuild the trained model in this process from the worker's state_dict."""
        model = self._model if self._model is not None else models.build(self.config.model)
        model.load_state_dict(models.from_file(weights_file).state_dict())
        last = result.history[-1].message if result.history else ""
        with self._lock:
            self.result = replace(result, model=model)
            self._status, self._message = result.status, last
            then, self._then = self._then, []
        for callback in then:
            self._call(callback)

    def _call(self, callback) -> None:
        """Run a finished-callback; a failing one is logged, and never stops the job's own thread."""
        try:
            callback(self)
        except Exception:  # the run's own state is already complete: only the callback's work is lost
            traceback.print_exc()

    def when_finished(self, callback) -> None:
        """Call `callback(job)` once the run's result is in (at once if it already is), in the job's thread;
        a run that fails or never starts has no result and never calls it."""
        with self._lock:
            if self.result is None:
                self._then.append(callback)
                return
        self._call(callback)

    def _set(self, status: str, message: str = "") -> None:
        with self._lock:
            self._status, self._message = status, message

    def pause(self) -> None:
        """Hold after the current step."""
        self.control.pause()

    def resume(self) -> None:
        """Carry on."""
        self.control.resume()

    def hurry(self) -> None:
        """Go on at full speed (no slow-motion rests)."""
        self.control.hurry()

    @property
    def slow(self) -> bool:
        """True while the run rests after each step (slow motion, not yet hurried)."""
        return self.config.step_delay > 0 and not self.control.hurried

    def stop(self) -> None:
        """End the run; it answers within a step."""
        self.control.stop()

    def interrupt(self) -> None:
        """End the run because its server is shutting down: it ends as stopped, but it is nobody's result, and its
        finished-callbacks are never called (the class board gets no run its student did not end)."""
        with self._lock:
            self._then = []
        self.control.stop()

    def join(self, timeout: float | None = None) -> None:
        """Wait for the run and its worker process to end."""
        self._thread.join(timeout)

    @property
    def paused(self) -> bool:
        """True while paused and not yet ended."""
        return self.alive and self.control.paused

    @property
    def alive(self) -> bool:
        """True while the run waits, trains or is paused; False once its result (or failure) is in, even while
        its worker is still exiting (a low-priority worker took up to 1.2 s to, and the page kept polling)."""
        return self._thread.is_alive() and self._status in ("waiting", "running")

    def snapshot(self) -> Snapshot:
        """The job's state now, copied under the lock."""
        with self._lock:
            events, weights, titles = list(self._events), self._weights, self._weight_titles
            status, message = self._status, self._message
        if status == "running" and self.control.stopped:
            status = "stopped"  # it halts at its next step; its final numbers follow in a moment
        elif status == "running" and self.control.paused:
            status = "paused"
        last = events[-1] if events else None
        left = None
        if last and status in ("running", "paused") and last.images_per_second > 0:
            left = (last.total_steps - last.step) * self.config.batch_size / last.images_per_second
        return Snapshot(
            status=status, events=events, weights=weights, weight_titles=titles, step=last.step if last else 0,
            total_steps=last.total_steps if last else 0,
            images_per_second=last.images_per_second if last else 0.0, seconds_left=left,
            queue_position=self._slots.position(self), message=message,
        )


def wait_until(job: Job, predicate, timeout: float = 30.0) -> bool:
    """Poll `job` until `predicate(snapshot)` holds (tests and the command line)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate(job.snapshot()):
            return True
        time.sleep(0.02)
    return False
