"""One background training run per browser session, and a queue for a shared GPU.

The page never waits on training: a `Job` runs `train` in a thread and keeps the
latest numbers and weights under a lock; the page reads a `snapshot` when it polls.
"""

import os
import threading
import time
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from mnistcore.prepare import Tensors
from mnistcore.train import Control, Event, Result, TrainConfig, train


class Slots:
    """At most `k` runs at once on one device; the others wait in line, first come first served."""

    def __init__(self, k: int):
        """Allow `k` simultaneous runs."""
        self.k = k
        self._cond = threading.Condition()
        self._line: list[object] = []
        self._running = 0

    def acquire(self, token: object, control: Control) -> bool:
        """Wait for a slot; False when the run was stopped while waiting."""
        with self._cond:
            self._line.append(token)
            while not (self._line[0] is token and self._running < self.k):
                if control.stopped:
                    self._line.remove(token)
                    self._cond.notify_all()
                    return False
                self._cond.wait(0.2)
            self._line.pop(0)
            self._running += 1
            self._cond.notify_all()
            return True

    def release(self) -> None:
        """Give a slot back."""
        with self._cond:
            self._running -= 1
            self._cond.notify_all()

    def position(self, token: object) -> int | None:
        """1 for the next in line, None when not waiting."""
        with self._cond:
            return self._line.index(token) + 1 if token in self._line else None


GPU_SLOTS = Slots(int(os.environ.get("MNISTCORE_GPU_RUNS", "4")))  # a hosted class shares one GPU
# Background runs share the CPU with the web server, the browser and other students' runs. With
# PyTorch's default pool of one OpenMP thread per core, those threads wait on each other whenever a
# core is busy elsewhere: training with the page open ran at 24% of its headless speed, and at
# about 100% with one thread (bench/browser_bench.py). One intra-op thread per process, then.
RUN_THREADS = int(os.environ.get("MNISTCORE_TORCH_THREADS", "1"))


@dataclass
class Snapshot:
    """A consistent copy of a job's state for the page to draw."""

    status: str  # "waiting", "running", "paused", "done", "stopped", "diverged" or "failed"
    events: list[Event]
    weights: np.ndarray | None
    weight_titles: list[str]
    step: int
    total_steps: int
    images_per_second: float
    seconds_left: float | None
    queue_position: int | None
    message: str


    def curves(self, smoothing: float = 0.8) -> dict[str, tuple[list[int], list[float]]]:
        """The run so far as chart series: train loss (exponentially smoothed), valid loss and accuracy."""
        progress = [e for e in self.events if e.kind == "progress"]
        evals = [e for e in self.events if e.valid_loss is not None and e.kind != "progress"]
        smooth, level = [], None
        for e in progress:
            level = e.train_loss if level is None else smoothing * level + (1 - smoothing) * e.train_loss
            smooth.append(level)
        return {
            "train loss": ([e.step for e in progress], smooth),
            "valid loss": ([e.step for e in evals], [e.valid_loss for e in evals]),
            "valid accuracy": ([e.step for e in evals], [e.valid_accuracy for e in evals]),
        }


class Job:
    """A training run in a background thread; pause, resume and stop it from any thread."""

    def __init__(self, config: TrainConfig, data: Tensors, model: nn.Module | None = None,
                 slots: Slots | None = None):
        """Prepare the run; `slots` limits how many share the device (None: no limit)."""
        self.config, self.data, self.control = config, data, Control()
        self._model, self._slots = model, slots
        self._lock = threading.Lock()
        self._events: list[Event] = []
        self._weights: np.ndarray | None = None
        self._weight_titles: list[str] = []
        self._status, self._message = "waiting", ""
        self.result: Result | None = None
        self._thread = threading.Thread(target=self._run, name="mnist-train", daemon=True)

    def start(self) -> "Job":
        """Begin training in the background."""
        if torch.get_num_threads() != RUN_THREADS:
            torch.set_num_threads(RUN_THREADS)  # process-wide: see RUN_THREADS
        self._thread.start()
        return self

    def _on_event(self, event: Event) -> None:
        with self._lock:
            if event.weights is not None:
                self._weights, self._weight_titles = event.weights, event.weight_titles
            self._events.append(event)

    def _run(self) -> None:
        if self._slots and not self._slots.acquire(self, self.control):
            self._set("stopped", "Stopped before it started.")
            return
        try:
            self._set("running")
            self.result = train(self.config, self.data, self._model, self._on_event, self.control)
            self._set(self.result.status, self.result.history[-1].message if self.result.history else "")
        except torch.OutOfMemoryError:
            self._set("failed", "The GPU ran out of memory (other students' runs share it). "
                                "Try a smaller batch, or switch the device to CPU in the sidebar.")
        except Exception as e:  # the page shows it in words; the thread must not die silently
            self._set("failed", f"Training failed: {e}")
        finally:
            if self._slots:
                self._slots.release()

    def _set(self, status: str, message: str = "") -> None:
        with self._lock:
            self._status, self._message = status, message

    def pause(self) -> None:
        """Hold after the current step."""
        self.control.pause()

    def resume(self) -> None:
        """Carry on."""
        self.control.resume()

    def stop(self) -> None:
        """End the run; it answers within a step."""
        self.control.stop()

    def join(self, timeout: float | None = None) -> None:
        """Wait for the thread to end."""
        self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        """True while the thread runs (waiting, training or paused)."""
        return self._thread.is_alive()

    def snapshot(self) -> Snapshot:
        """The job's state now, copied under the lock."""
        with self._lock:
            events, weights, titles = list(self._events), self._weights, self._weight_titles
            status, message = self._status, self._message
        if status == "running" and self.control.paused:
            status = "paused"
        last = events[-1] if events else None
        left = None
        if last and status in ("running", "paused") and last.images_per_second > 0:
            left = (last.total_steps - last.step) * self.config.batch_size / last.images_per_second
        return Snapshot(
            status=status, events=events, weights=weights, weight_titles=titles, step=last.step if last else 0,
            total_steps=last.total_steps if last else 0,
            images_per_second=last.images_per_second if last else 0.0, seconds_left=left,
            queue_position=self._slots.position(self) if self._slots else None, message=message,
        )


def wait_until(job: Job, predicate, timeout: float = 30.0) -> bool:
    """Poll `job` until `predicate(snapshot)` holds (tests and the command line)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate(job.snapshot()):
            return True
        time.sleep(0.02)
    return False
