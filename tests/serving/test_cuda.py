"""The GPU path: runs in workers that each own a CUDA context, the GPU's own line, a full GPU, the page.

Skipped without CUDA (the CI machine has none); run on a GPU machine with `pytest tests/serving/test_cuda.py`.
"""

import shutil
import subprocess
import sys
import time

import pytest
import torch
from apptest import by_label, ok, open_page, progress_text, run_until

from mnistcore.data import load_dataset
from mnistcore.prepare import to_tensors
from mnistcore.serving import jobs
from mnistcore.serving.jobs import Job, Slots, wait_until
from mnistcore.train import TrainConfig

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")


@pytest.fixture(scope="module")
def data():
    return to_tensors(load_dataset("mnist", "sample"))  # CPU tensors in shared memory, as the page passes them


def processes_on_the_gpu() -> set[int]:
    """The process ids that hold a CUDA context now, as the driver reports them."""
    if shutil.which("nvidia-smi") is None:
        pytest.skip("nvidia-smi is not installed")
    out = subprocess.run(["nvidia-smi", "--query-compute-apps=pid", "--format=csv,noheader"], capture_output=True,
                         text=True, check=True).stdout
    return {int(pid) for pid in out.split()}


def test_gpu_runs_train_in_workers_that_each_own_a_cuda_context(data):
    slots = Slots(2)
    runs = [Job(TrainConfig(epochs=1000, seed=seed), data, slots=slots, device="cuda").start() for seed in (1, 2)]
    for job in runs:
        assert wait_until(job, lambda s: s.step > 0, timeout=60), job.snapshot().message
    workers = {job.process.pid for job in runs}
    assert len(workers) == 2 and workers <= processes_on_the_gpu()
    for job in runs:
        job.stop()
        job.join(10)
    a, b = (job.result.model[0].weight for job in runs)
    assert a.device.type == "cpu" and not torch.equal(a, b)  # rebuilt in the server, from two different runs
    deadline = time.monotonic() + 5
    while workers & processes_on_the_gpu() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not workers & processes_on_the_gpu()  # each context went with its worker


def test_a_gpu_run_learns_and_reports_like_a_cpu_run(data):
    job = Job(TrainConfig(epochs=2, snapshot_every=10), data, device="cuda").start()
    assert wait_until(job, lambda s: s.status == "done", timeout=120), job.snapshot().message
    snap = job.snapshot()
    assert snap.step == snap.total_steps == 126 and snap.weights.shape == (10, 784)
    assert job.result.valid_accuracy > 0.8


def test_gpu_runs_wait_in_the_gpus_own_line(data):
    assert Job(TrainConfig(), data, device="cuda")._slots is jobs.GPU_SLOTS  # not the CPU's
    slots = Slots(1)
    first = Job(TrainConfig(epochs=1000), data, slots=slots, device="cuda").start()
    second = Job(TrainConfig(epochs=1), data, slots=slots, device="cuda").start()
    assert wait_until(second, lambda s: s.queue_position == 1 and s.status == "waiting", timeout=30)
    first.stop()
    assert wait_until(second, lambda s: s.status == "done", timeout=120), second.snapshot().message


# Another program takes all but 16 MB of the GPU: no worker's CUDA context fits beside it.
HOG = ("import sys, torch; free, _ = torch.cuda.mem_get_info(); "
       "x = torch.empty(free - (16 << 20), dtype=torch.uint8, device='cuda'); print('held', flush=True); sys.stdin.read()")


def test_a_full_gpu_fails_the_run_in_words_not_a_hang(data):
    hog = subprocess.Popen([sys.executable, "-c", HOG], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert hog.stdout.readline().strip() == "held"
        job = Job(TrainConfig(), data, device="cuda").start()
        job.join(60)
        snap = job.snapshot()
        assert not job.alive and snap.status == "failed" and snap.message == jobs.OOM_MESSAGE
    finally:
        hog.kill()
        hog.wait(10)


def test_the_training_page_trains_on_the_gpu():
    at = open_page("training")
    assert any("Computing on **CUDA GPU" in c.value for c in at.caption)
    at.number_input(key="epochs").set_value(3).run()
    by_label(at.button, "Start").click().run()
    ok(at)
    run_until(at, lambda a: progress_text(a).startswith("done"))
    assert float(by_label(at.metric, "valid accuracy").value.rstrip("%")) > 85
