"""What long runs keep in the server's memory: two tabs training at full speed at batch 16, for a bounded time.

    python -m bench.memory_bench [--seconds 60] [--runs 2]     (or: make bench ARGS=--memory)

Each run is a real `Job` with the training page's settings (`live.watched`: numbers and a weight picture every 10
steps), in a worker process, as the page starts it; the server's side is this process. Every few seconds it prints
what the jobs keep (events, weight pictures and their bytes) and this process's resident memory; then it stops the
runs and says what stays. Target: what one run keeps is bounded (`live.MAX_EVENTS` events, one picture), whatever
its length.
"""

import argparse
import gc
import sys
import time

from mnistcore.data import load_dataset
from mnistcore.prepare import to_tensors
from mnistcore.serving import live
from mnistcore.serving.jobs import Job
from mnistcore.serving.live import watched
from mnistcore.train import TrainConfig

PICTURE_BUDGET = 1  # weight pictures a run may keep: the newest


def rss_mib() -> float:
    """This process's resident memory, in MiB."""
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def kept(job: Job) -> tuple[int, int, int]:
    """(events, weight pictures, bytes of those pictures) that `job` holds."""
    with job._lock:
        events = list(job._events)
    pictures = [e.weights for e in events if e.weights is not None] + ([job._weights] if job._weights is not None else [])
    unique = {id(p): p for p in pictures}.values()
    return len(events), len(unique), sum(p.nbytes for p in unique)


def run(seconds: float = 60.0, runs: int = 2, every: float = 10.0) -> list[bool]:
    """Train `runs` jobs at full speed for `seconds`, print what they keep, stop them; True for each target met."""
    ds = load_dataset("mnist", "auto")  # the lesson's full MNIST: 3,125 steps an epoch at batch 16
    data = to_tensors(ds)
    config = watched(TrainConfig(batch_size=16, epochs=100), len(ds.x_train))
    gc.collect()
    base = rss_mib()
    started = [Job(config, data).start() for _ in range(runs)]
    t0 = time.monotonic()
    print(f"{runs} runs, batch 16, 100 epochs, full speed, {seconds:.0f} s; RSS before {base:.0f} MiB")
    print(f"{'s':>5} {'steps':>8} {'events':>8} {'pictures':>9} {'picture MiB':>12} {'RSS +MiB':>9}")
    while (now := time.monotonic() - t0) < seconds:
        time.sleep(min(every, seconds - now))
        counts = [kept(j) for j in started]
        steps = sum(j.snapshot().step for j in started)
        print(f"{time.monotonic() - t0:5.0f} {steps:8,} {sum(c[0] for c in counts):8,} {sum(c[1] for c in counts):9,} "
              f"{sum(c[2] for c in counts) / 2**20:12.2f} {rss_mib() - base:9.1f}", flush=True)
    for j in started:
        j.stop()
    for j in started:
        j.join(30)
    gc.collect()
    counts = [kept(j) for j in started]
    after = rss_mib() - base
    print(f"after Stop: {sum(c[0] for c in counts):,} events, {sum(c[1] for c in counts)} pictures "
          f"({sum(c[2] for c in counts) / 2**20:.2f} MiB) kept by {runs} stopped runs; RSS +{after:.1f} MiB")
    bounded_pictures = all(c[1] <= PICTURE_BUDGET for c in counts)
    bounded_events = all(c[0] <= live.MAX_EVENTS for c in counts)
    print(f"  pictures per run at most {PICTURE_BUDGET}: {'met' if bounded_pictures else 'MISSED'}; events per run at "
          f"most {live.MAX_EVENTS}: {'met' if bounded_events else 'MISSED'}")
    return [bounded_pictures, bounded_events]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the runs train (default 60)")
    parser.add_argument("--runs", type=int, default=2, help="runs at once (default 2: two tabs)")
    args = parser.parse_args()
    return 0 if all(run(args.seconds, args.runs)) else 1


if __name__ == "__main__":
    sys.exit(main())
