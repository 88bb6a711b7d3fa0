"""Benchmarks: each prints our time, a baseline measured in the same run, and their ratio against a target."""

import time
from collections.abc import Callable


def best_of(fn: Callable[[], object], repeat: int = 3) -> float:
    """The fastest of `repeat` timed calls, in seconds (the least disturbed by the machine)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def report(name: str, ours: float, baseline: float, baseline_name: str, target: float, unit: str = "s") -> bool:
    """Print one line: ours vs the baseline and the speed-up against its target; True when met."""
    ratio = baseline / ours
    ok = ratio >= target
    print(f"{'PASS' if ok else 'FAIL'}  {name}: {ours:.3f} {unit} vs {baseline_name} {baseline:.3f} {unit} "
          f"-> {ratio:.2f}x faster (target >= {target}x)", flush=True)
    return ok
