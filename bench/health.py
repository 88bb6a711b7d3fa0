"""The server's health endpoint, polled as a load balancer's checker polls it, and its latency percentiles."""

import json
import subprocess
import sys
from dataclasses import dataclass, field

PROBE = """
import json, sys, threading, time, urllib.request
answers, failures, done = [], 0, threading.Event()
threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()  # runs until stdin closes
while not done.wait(0.1):
    start = time.perf_counter()
    try:
        urllib.request.urlopen(sys.argv[1] + "/_stcore/health", timeout=10).read()
        answers.append((start, time.perf_counter() - start))
    except OSError:
        failures += 1
print(json.dumps({"answers": answers, "failures": failures}))
"""


@dataclass
class Health:
    """Polls /_stcore/health every 0.1 s from a process of its own and keeps (when, seconds) of each answer;
    perf_counter is one clock for both. The process has a session of its own, as a load balancer's or
    Kubernetes' checker would: under Linux autogroup, sharing the benchmark's session would make it
    wait behind the browser driver's work, and count that wait against the server."""

    url: str
    answers: list[tuple[float, float]] = field(default_factory=list)
    failures: int = 0
    _probe: subprocess.Popen | None = None

    def start(self) -> "Health":
        """Begin polling."""
        self._probe = subprocess.Popen([sys.executable, "-c", PROBE, self.url], stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, text=True, start_new_session=True)
        return self

    def stop(self) -> None:
        """Stop polling and collect the answers."""
        out, _ = self._probe.communicate("", timeout=30)
        got = json.loads(out)
        self.answers, self.failures = [tuple(a) for a in got["answers"]], got["failures"]

    def percentiles(self, since: float = 0.0, until: float = float("inf")) -> tuple[float, float, float]:
        """p50, p95 and max in milliseconds of the answers asked between `since` and `until`."""
        t = sorted(took for when, took in self.answers if since <= when < until) or [float("nan")]
        return 1000 * t[len(t) // 2], 1000 * t[int(len(t) * 0.95)], 1000 * t[-1]
