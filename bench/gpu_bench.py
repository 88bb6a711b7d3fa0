"""A class on one GPU (`python -m bench.gpu_bench`, on a machine with CUDA): the engine against a DataLoader
loop there, the lesson's epoch, and N runs at once in their own workers, each against one run alone.

The N runs are what a hosted class does: every student's run is a worker with its own CUDA context
and its own copy of the data on the GPU. The figures say how many runs the GPU's line
(MNISTCORE_GPU_RUNS) should let through at once, and what each one costs in GPU memory.
"""

import shutil
import subprocess
import sys
import time

import torch

from bench.train_bench import engine_epoch, epoch_vs_dataloader
from mnistcore import devices
from mnistcore.data import load_dataset
from mnistcore.prepare import to_tensors
from mnistcore.serving import workers
from mnistcore.serving.jobs import Job, Slots, wait_until
from mnistcore.serving.live import watched
from mnistcore.train import TrainConfig, train

WINDOW = 8.0  # seconds over which a class's images/s are counted


def gpu_mib_by_process() -> dict[int, float]:
    """GPU memory in MiB held by each process, as nvidia-smi reports it."""
    if shutil.which("nvidia-smi") is None:
        return {}
    out = subprocess.run(["nvidia-smi", "--query-compute-apps=pid,used_memory", "--format=csv,noheader,nounits"],
                         capture_output=True, text=True).stdout
    return {int(pid): float(mib) for pid, mib in (line.split(",") for line in out.strip().splitlines() if line)}


def class_of_runs(data, n: int, device: str = "cuda") -> tuple[float, float, float]:
    """N page-like runs at once on `device`: total images/s over WINDOW, seconds from start to every run's first step, and
    the mean GPU MiB a worker holds."""
    slots = Slots(n)
    begun = time.perf_counter()
    runs = [Job(watched(TrainConfig(epochs=100, seed=i), len(data.x_train)), data, slots=slots, device=device).start()
            for i in range(n)]
    for job in runs:
        if not wait_until(job, lambda s: s.step > 0, timeout=120):
            raise RuntimeError(f"a run never started: {job.snapshot().message}")
    started = time.perf_counter() - begun
    time.sleep(1.0)  # past the first steps
    first = [job.snapshot().step for job in runs]
    t0 = time.perf_counter()
    time.sleep(WINDOW)
    last = [job.snapshot().step for job in runs]
    seconds = time.perf_counter() - t0
    held = gpu_mib_by_process()
    mib = [held.get(job.process.pid, float("nan")) for job in runs]
    for job in runs:
        job.stop()
    for job in runs:
        job.join(30)
    images = sum(b - a for a, b in zip(first, last)) * 64
    return images / seconds, started, sum(mib) / n


def main() -> int:
    """Run the GPU benchmarks; exit 1 when a target is missed."""
    if not torch.cuda.is_available():
        print("SKIP  GPU benchmarks: no CUDA device here")
        return 0
    ds = load_dataset("mnist")  # full MNIST when installed or cached, else the sample
    data = to_tensors(ds, "cuda")
    print(f"      device: {devices.describe('cuda')}; {ds.title} {len(data.x_train):,} train / {len(data.x_valid):,} valid; "
          f"torch {torch.__version__}", flush=True)
    met, gpu_seconds = epoch_vs_dataloader(data, "epoch at batch 64 on the GPU")
    on_cpu = to_tensors(ds)
    engine_epoch(on_cpu)  # warm up
    cpu_seconds = min(engine_epoch(on_cpu, s) for s in range(3))
    print(f"      the same epoch on this machine's CPU ({torch.get_num_threads()} threads): {cpu_seconds:.3f} s against "
          f"{gpu_seconds:.3f} s on the GPU, so the GPU is {cpu_seconds / gpu_seconds:.2f}x the CPU for the lesson's model "
          f"at batch 64", flush=True)
    result = train(TrainConfig(), data)
    print(f"      the lesson's settings, one epoch on the GPU: {result.valid_accuracy:.2%} valid in {result.seconds:.2f} s "
          f"(the lesson's notebook printed 91.72%)", flush=True)
    cpu = workers.share(on_cpu)  # what the page hands a run: CPU tensors in shared memory, copied by each worker
    Job(TrainConfig(max_steps=20), cpu, device="cuda").start().join(120)  # starts the forkserver: not a run's cost
    alone, started, mib = class_of_runs(cpu, 1)
    print(f"      1 run: {alone:,.0f} images/s; first step after {started:.2f} s; {mib:,.0f} MiB of GPU memory", flush=True)
    for n in (4, 8, 16):
        total, started, mib = class_of_runs(cpu, n)
        print(f"      {n} runs: {total:,.0f} images/s in all ({total / alone:.2f}x one run alone, {total / n:,.0f} each); "
              f"all started after {started:.2f} s; {mib:,.0f} MiB of GPU memory each", flush=True)
    print(f"{int(met)} of 1 targets met")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
