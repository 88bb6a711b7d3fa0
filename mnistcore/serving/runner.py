"""A training run's worker process: it trains with the engine and sends its events back through a pipe."""

import os
import time
from dataclasses import replace

import torch
from torch import nn

from mnistcore import models
from mnistcore.control import Control
from mnistcore.prepare import Tensors
from mnistcore.serving.workers import RUN_THREADS, WORKER_NICE, end_with
from mnistcore.train import Event, TrainConfig, train

FLUSH_SECONDS = 0.1  # a worker sends its events in batches at most this often (the page polls at 0.5 s)
OOM_MESSAGE = ("The GPU ran out of memory (other students' runs share it). "
               "Try a smaller batch, or switch the device to CPU in the sidebar.")


class Sender:
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


def work(config: TrainConfig, data: Tensors, device: str, model: nn.Module | None, control: Control, conn,
         server: int) -> None:
    """The worker process: train, then send the final numbers and weights."""
    end_with(server)
    if hasattr(os, "nice"):  # not on Windows
        os.nice(WORKER_NICE)
    torch.set_num_threads(RUN_THREADS)
    try:
        if device != "cpu":  # each worker owns its CUDA context and its copy of the data on the GPU
            data = moved(data, device)
        result = train(config, data, model, Sender(conn), control)
        conn.send(("result", replace(result, model=None), models.to_file(result.model)))
    except Exception as e:  # the page shows it in words; the worker must not die silently
        conn.send(("failed", OOM_MESSAGE if out_of_memory(e) else f"Training failed: {e}"))
    finally:
        conn.close()


def moved(data: Tensors, device: str) -> Tensors:
    """A copy of `data` on `device` (the mean and std are plain numbers and stay as they are)."""
    return Tensors(**{k: (v.to(device) if isinstance(v, torch.Tensor) else v) for k, v in vars(data).items()})


def out_of_memory(error: Exception) -> bool:
    """True for a full GPU: PyTorch's own error, or the driver's when even a worker's CUDA context does not fit."""
    return isinstance(error, torch.OutOfMemoryError) or "out of memory" in str(error)


def death_message(exitcode: int | None) -> str:
    """Plain words for a worker that ended without saying why."""
    how = "was killed" if exitcode is not None and exitcode < 0 else f"ended unexpectedly (exit code {exitcode})"
    return (f"The training process {how}, perhaps because the server ran short of memory. Your settings "
            "are kept: press Reset, then Start to try again.")
