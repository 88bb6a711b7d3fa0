"""Background jobs: snapshots while training, a queue for a shared GPU, and cleanup when a session goes."""

import threading
import time

import pytest
import torch

from mnistcore.data import load_dataset
from mnistcore.jobs import Job, Slots, wait_until
from mnistcore.prepare import to_tensors
from mnistcore.train import Control, TrainConfig


@pytest.fixture(scope="module")
def data():
    return to_tensors(load_dataset("mnist", "sample"))


def test_job_reports_weights_and_finishes(data):
    job = Job(TrainConfig(epochs=2, snapshot_every=10, report_every=10), data).start()
    assert wait_until(job, lambda s: s.status == "done", timeout=60)
    snap = job.snapshot()
    assert snap.weights.shape == (10, 784) and snap.weight_titles[3] == "class 3"
    assert snap.step == snap.total_steps == 126 and job.result.valid_accuracy > 0.8
    assert any(e.kind == "eval" for e in snap.events)


def test_two_jobs_train_independently(data):
    a = Job(TrainConfig(epochs=3, seed=1), data).start()
    b = Job(TrainConfig(epochs=3, seed=2, lr=3e-3), data).start()
    a.join(60)
    b.join(60)
    wa, wb = a.result.model[0].weight, b.result.model[0].weight
    assert not (wa == wb).all()


def test_slots_let_k_run_and_queue_the_rest():
    slots, controls, order = Slots(1), [Control() for _ in range(3)], []
    tokens = [object() for _ in range(3)]
    assert slots.acquire(tokens[0], controls[0])
    threads = [threading.Thread(target=lambda t=t, c=c: order.append(t) if slots.acquire(t, c) else None)
               for t, c in zip(tokens[1:], controls[1:])]
    for th in threads:
        th.start()
        time.sleep(0.1)  # keep the arrival order
    assert slots.position(tokens[1]) == 1 and slots.position(tokens[2]) == 2
    controls[2].stop()  # the last in line gives up
    time.sleep(0.4)
    assert slots.position(tokens[2]) is None
    slots.release()
    threads[0].join(2)
    assert order == [tokens[1]]
    slots.release()


def test_waiting_job_shows_its_place_in_line(data):
    slots = Slots(1)
    first = Job(TrainConfig(epochs=50, step_delay=0.01), data, slots=slots).start()
    second = Job(TrainConfig(epochs=1), data, slots=slots).start()
    assert wait_until(second, lambda s: s.queue_position == 1 and s.status == "waiting", timeout=5)
    first.stop()
    assert wait_until(second, lambda s: s.status == "done", timeout=30)


def test_a_crash_becomes_a_message(data):
    job = Job(TrainConfig(model="nonsense"), data).start()
    job.join(10)
    snap = job.snapshot()
    assert snap.status == "failed" and "unknown model" in snap.message


class OutOfMemoryModel(torch.nn.Module):
    """A model whose forward pass fails the way a full GPU does (this machine has no GPU to fill)."""

    def __init__(self):
        super().__init__()
        self.w = torch.nn.Parameter(torch.zeros(784, 10))

    def forward(self, x):
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")


def test_out_of_memory_says_so_and_offers_the_cpu(data):
    job = Job(TrainConfig(), data, model=OutOfMemoryModel()).start()
    job.join(10)
    snap = job.snapshot()
    assert snap.status == "failed" and "ran out of memory" in snap.message and "CPU" in snap.message
