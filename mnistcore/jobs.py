"""One training run per browser session, in a worker process, and the lines runs wait in.

The web server never trains: a `Job` starts `train` in a worker process (mnistcore.workers: forked
from a forkserver that has torch imported, so a start costs tens of milliseconds). The worker reads
the data set from shared memory, runs at a lower CPU priority than the server, and sends its events
back through a pipe; a thread in the server keeps the latest numbers under a lock, and the page
reads a `snapshot` when it polls.
"""

import copy
import multiprocessing as mp
import os
import threading
import time
from dataclasses import dataclass, replace

import numpy as np
import torch
from torch import nn

from mnistcore import models
from mnistcore.data import Dataset
from mnistcore.prepare import Tensors, to_tensors
from mnistcore.train import CHART_POINTS, Control, Event, Result, TrainConfig, train
from mnistcore.workers import CORES, RUN_THREADS, WORKER_NICE, context, end_with, setting, share


class Slots:
    """At most `k` runs at once; the others wait in line, first come first served."""

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

    @property
    def busy(self) -> int:
        """Runs holding a slot now."""
        return self._running

    def position(self, token: object) -> int | None:
        """1 for the next in line, None when not waiting."""
        with self._cond:
            return self._line.index(token) + 1 if token in self._line else None


# A run is one thread of one core at low priority, so the cap guards memory (each worker added about
# 18 MB PSS: a server with 10 runs on Fashion-MNIST measured 1.17 GB, with 20 runs 1.34 GB), not CPU:
# ten runs a core keep every run moving.
CPU_SLOTS = Slots(setting("MNISTCORE_MAX_RUNS", round(10 * CORES)))
# A GPU run of these small models is bound by launching kernels: its worker keeps a core busy, and holds
# about 1 GiB of GPU memory (its CUDA context and its copy of the data). On an H200 with 16 cores
# (bench/gpu_bench.py, two runs), 4 runs at once trained 3.6-4.0x as many images/s as one alone, 8 runs
# 5.8-6.1x, 16 runs 8.3-8.5x: a run per core.
GPU_SLOTS = Slots(setting("MNISTCORE_GPU_RUNS", round(CORES)))
FLUSH_SECONDS = 0.1  # a worker sends its events in batches at most this often (the page polls at 0.5 s)
OOM_MESSAGE = ("The GPU ran out of memory (other students' runs share it). "
               "Try a smaller batch, or switch the device to CPU in the sidebar.")


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

    def curves(self, smoothing: float = 0.8, max_points: int = CHART_POINTS) -> dict[str, tuple[list[int], list[float]]]:
        """The run so far as chart series: train loss (exponentially smoothed), valid loss and accuracy.

        Each series keeps at most about `max_points` points (evenly spaced, the last always): a
        long run has thousands, and every poll of the page would send them all again.
        """
        progress = [e for e in self.events if e.kind == "progress"]
        evals = [e for e in self.events if e.valid_loss is not None and e.kind != "progress"]
        smooth, level = [], None
        for e in progress:
            level = e.train_loss if level is None else smoothing * level + (1 - smoothing) * e.train_loss
            smooth.append(level)

        def thin(xs: list, ys: list) -> tuple[list, list]:
            keep = list(range(len(xs) - 1, -1, -max(1, -(-len(xs) // max_points))))[::-1]  # stride from the end
            return [xs[i] for i in keep], [ys[i] for i in keep]

        return {
            "train loss": thin([e.step for e in progress], smooth),
            "valid loss": thin([e.step for e in evals], [e.valid_loss for e in evals]),
            "valid accuracy": thin([e.step for e in evals], [e.valid_accuracy for e in evals]),
        }


class _Sender:
    """The worker's side of the pipe: events in batches, weight pictures at most once a batch."""

    def __init__(self, conn):
        """Send through `conn`."""
        self.conn, self.batch, self.last = conn, [], 0.0

    def __call__(self, event: Event) -> None:
        """Queue `event`; send the batch when it is due or the run has news beyond progress."""
        if event.weights is not None and self.batch and self.batch[-1].weights is not None:
            self.batch[-1] = replace(self.batch[-1], weights=None, weight_titles=None)  # only the newest picture counts
        self.batch.append(event)
        now = time.monotonic()
        if now - self.last >= FLUSH_SECONDS or event.kind != "progress":
            self.conn.send(("events", self.batch))
            self.batch, self.last = [], now


def _work(config: TrainConfig, data: Tensors, device: str, model: nn.Module | None, control: Control, conn,
          server: int) -> None:
    """The worker process: train, then send the final numbers and weights."""
    end_with(server)
    os.nice(WORKER_NICE)
    torch.set_num_threads(RUN_THREADS)
    try:
        if device != "cpu":  # each worker owns its CUDA context and its copy of the data on the GPU
            data = _moved(data, device)
        result = train(config, data, model, _Sender(conn), control)
        conn.send(("result", replace(result, model=None), models.to_file(result.model)))
    except Exception as e:  # the page shows it in words; the worker must not die silently
        conn.send(("failed", OOM_MESSAGE if _out_of_memory(e) else f"Training failed: {e}"))
    finally:
        conn.close()


class Job:
    """A training run in a worker process; pause, resume and stop it from any thread."""

    def __init__(self, config: TrainConfig, data: Tensors, model: nn.Module | None = None,
                 slots: Slots | None = None, device: str | None = None,
                 dataset: tuple[str, str, tuple[str, ...]] = ("", "the data", tuple(map(str, range(10))))):
        """Prepare the run on `device` (default: where `data` is); `slots` is the line it waits in (None: the
        CPU's or the GPU's, by device). Pass CPU data for a GPU run: the worker makes its own GPU copy.
        `dataset` (key, title, class names) says which data set `data` came from, for whoever draws the run."""
        self.config, self.data, self.control = config, data, Control(context())
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
        self.process: mp.process.BaseProcess | None = None
        self._thread = threading.Thread(target=self._supervise, name="mnist-job", daemon=True)

    def start(self) -> "Job":
        """Begin: wait in line for a slot, then train in a worker."""
        self._thread.start()
        return self

    def _supervise(self) -> None:
        """Wait for a slot, start the worker, and read what it sends until it ends."""
        if not self._slots.acquire(self, self.control):
            self._set("stopped", "Stopped before it started.")
            return
        try:
            self._run_worker()
        finally:
            self._slots.release()

    def _run_worker(self) -> None:
        """Start the worker and turn its messages into state; a worker that dies becomes a message."""
        ctx = context()
        on_cpu = self.data.x_train.device.type == "cpu"
        cpu_data = share(self.data if on_cpu else _moved(self.data, "cpu"))  # workers map shared CPU memory
        receive, send = ctx.Pipe(duplex=False)
        self.process = ctx.Process(target=_work, name="mnist-train", daemon=True,
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
            self._set("failed", _death_message(self.process.exitcode))
        receive.close()

    def _on_events(self, events: list[Event]) -> None:
        with self._lock:
            for event in events:
                if event.weights is not None:
                    self._weights, self._weight_titles = event.weights, event.weight_titles
            self._events.extend(events)

    def _finish(self, result: Result, weights_file: bytes) -> None:
        """Rebuild the trained model in this process from the worker's state_dict."""
        model = self._model if self._model is not None else models.build(self.config.model)
        model.load_state_dict(models.from_file(weights_file).state_dict())
        self.result = replace(result, model=model)
        last = result.history[-1].message if result.history else ""
        self._set(result.status, last)

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


def _moved(data: Tensors, device: str) -> Tensors:
    """A copy of `data` on `device` (the mean and std are plain numbers and stay as they are)."""
    return Tensors(**{k: (v.to(device) if isinstance(v, torch.Tensor) else v) for k, v in vars(data).items()})


def _out_of_memory(error: Exception) -> bool:
    """True for a full GPU: PyTorch's own error, or the driver's when even a worker's CUDA context does not fit."""
    return isinstance(error, torch.OutOfMemoryError) or "out of memory" in str(error)


def _death_message(exitcode: int | None) -> str:
    """Plain words for a worker that ended without saying why."""
    how = "was killed" if exitcode is not None and exitcode < 0 else f"ended unexpectedly (exit code {exitcode})"
    return (f"The training process {how}, perhaps because the server ran short of memory. Your settings "
            "are kept: press Reset, then Start to try again.")



def lesson_model_file(ds: Dataset, seed: int) -> bytes:
    """The lesson's model (Adam, lr 1e-3, batch 64) after one epoch on `ds`, as a weights file."""
    result = train(TrainConfig(seed=seed), to_tensors(ds))
    return models.to_file(result.model)


def redraw_slowdown() -> int:
    """How many times slower than alone a training page should redraw: this server's runs per core it may
    use, from 1 to 5."""
    return max(1, min(5, round((CPU_SLOTS.busy + GPU_SLOTS.busy) / CORES)))


def wait_until(job: Job, predicate, timeout: float = 30.0) -> bool:
    """Poll `job` until `predicate(snapshot)` holds (tests and the command line)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate(job.snapshot()):
            return True
        time.sleep(0.02)
    return False
