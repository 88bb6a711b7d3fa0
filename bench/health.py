"""The server's health endpoint, polled as a load balancer's checker polls it: its latency percentiles, and for
each answer what the server's threads did meanwhile (ran on a CPU, or stood ready and waited for one)."""

import json
import subprocess
import sys
from dataclasses import dataclass, field

# /proc/<pid>/task/<tid>/schedstat: nanoseconds on a CPU, nanoseconds runnable but waiting for one, time slices.
# Summed over the server's threads before and after each answer: a slow answer whose server mostly waited was
# not given a CPU; one whose server mostly ran was busy with its own work.
PROBE = """
import json, os, sys, threading, time, urllib.request
pids = [int(p) for p in sys.argv[2:]]
def threads():
    out = {}
    for pid in pids:
        try:
            tids = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for tid in tids:
            try:
                with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                    ran, waited = f.read().split()[:2]
                out[tid] = (int(ran), int(waited))
            except (OSError, ValueError):
                continue  # the thread ended while we looked
    return out
def spent(before, after):
    ran = sum(r - before.get(t, (0, 0))[0] for t, (r, _) in after.items())
    waited = sum(w - before.get(t, (0, 0))[1] for t, (_, w) in after.items())
    return ran / 1e9, waited / 1e9
answers, failures, done = [], 0, threading.Event()
threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()  # runs until stdin closes
while not done.wait(0.1):
    before, start = threads(), time.perf_counter()
    try:
        urllib.request.urlopen(sys.argv[1] + "/_stcore/health", timeout=10).read()
        took = time.perf_counter() - start
        answers.append((start, took, *spent(before, threads())))
    except OSError:
        failures += 1
print(json.dumps({"answers": answers, "failures": failures}))
"""


@dataclass
class Health:
    """Polls /_stcore/health every 0.1 s from a process of its own and keeps, for each answer, (when, seconds, the
    server's CPU seconds meanwhile, the seconds its threads waited for a CPU meanwhile); perf_counter is one clock
    for both. `pids` are the server processes whose threads are watched (none: latency only). The process has a
    session of its own, as a load balancer's or Kubernetes' checker would: under Linux autogroup, sharing the
    benchmark's session would make it wait behind the browser driver's work, and count that wait against the
    server."""

    url: str
    pids: list[int] = field(default_factory=list)
    answers: list[tuple[float, float, float, float]] = field(default_factory=list)
    failures: int = 0
    _probe: subprocess.Popen | None = None

    def start(self) -> "Health":
        """Begin polling."""
        self._probe = subprocess.Popen([sys.executable, "-c", PROBE, self.url, *map(str, self.pids)],
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, start_new_session=True)
        return self

    def stop(self) -> None:
        """Stop polling and collect the answers."""
        out, _ = self._probe.communicate("", timeout=30)
        got = json.loads(out)
        self.answers, self.failures = [tuple(a) for a in got["answers"]], got["failures"]

    def _between(self, since: float, until: float) -> list[tuple[float, float, float, float]]:
        """The answers asked between `since` and `until`."""
        return [a for a in self.answers if since <= a[0] < until]

    def percentiles(self, since: float = 0.0, until: float = float("inf")) -> tuple[float, float, float]:
        """p50, p95 and max in milliseconds of the answers asked between `since` and `until`."""
        t = sorted(a[1] for a in self._between(since, until)) or [float("nan")]
        return 1000 * t[len(t) // 2], 1000 * t[int(len(t) * 0.95)], 1000 * t[-1]

    def slow(self, since: float = 0.0, until: float = float("inf"), over: float = 0.1) -> tuple[int, float, float, float]:
        """The answers slower than `over` seconds between `since` and `until`: how many, their seconds in all, and
        the server's CPU seconds and its threads' seconds waiting for a CPU while they were asked."""
        late = [a for a in self._between(since, until) if a[1] > over]
        return len(late), sum(a[1] for a in late), sum(a[2] for a in late), sum(a[3] for a in late)
