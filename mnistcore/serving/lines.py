"""How many training runs compute at once, and the lines the others wait in.

A run is one thread of one core at low priority, so the CPU's cap guards memory, not CPU. The line is
served fairly between owners (browsers): when a place frees up, it goes to the owner holding the fewest
places, and among those to the one served longest ago, so one student's many tabs cannot keep the next
student waiting; each owner's own runs go first come, first served.
"""

import threading

from mnistcore.control import Control
from mnistcore.serving.workers import CORES, setting


class Slots:
    """At most `k` runs at once; the others wait in line, fairly between owners, first come first served within."""

    def __init__(self, k: int):
        """Allow `k` simultaneous runs."""
        self.k = k
        self._cond = threading.Condition()
        self._line: list[tuple[object, object]] = []  # (token, owner), in order of arrival
        self._held: dict[object, object] = {}  # token -> owner, for the runs holding a place
        self._served: dict[object, int] = {}  # owner -> when it last got a place (a count), while it waits or holds
        self._grants = 0

    def _order(self) -> list[object]:
        """The waiting tokens in the order they will be served: fewest places held by their owner first."""
        holding = list(self._held.values())
        ranked = sorted(enumerate(self._line),
                        key=lambda item: (holding.count(item[1][1]), self._served.get(item[1][1], -1), item[0]))
        return [token for _, (token, _) in ranked]

    def acquire(self, token: object, control: Control, owner: object = None) -> bool:
        """Wait for a slot; False when the run was stopped while waiting. `owner` None: the token is its own owner."""
        owner = token if owner is None else owner
        with self._cond:
            self._line.append((token, owner))
            while not (len(self._held) < self.k and self._order()[0] is token):
                if control.stopped:
                    self._line.remove((token, owner))
                    self._cond.notify_all()
                    return False
                self._cond.wait(0.2)
            self._line.remove((token, owner))
            self._held[token] = owner
            self._grants += 1
            self._served[owner] = self._grants
            self._cond.notify_all()
            return True

    def release(self, token: object) -> None:
        """Give back the slot `token` holds."""
        with self._cond:
            del self._held[token]
            present = set(self._held.values()) | {owner for _, owner in self._line}
            self._served = {o: n for o, n in self._served.items() if o in present}  # bounded by who is here
            self._cond.notify_all()

    @property
    def busy(self) -> int:
        """Runs holding a slot now."""
        return len(self._held)

    def position(self, token: object) -> int | None:
        """1 for the next in line, None when not waiting."""
        with self._cond:
            order = self._order()
            return order.index(token) + 1 if token in order else None


# Each worker added about 18 MB PSS (a server with 10 runs on Fashion-MNIST measured 1.17 GB, with 20 runs
# 1.34 GB); ten runs a core keep every run moving.
CPU_SLOTS = Slots(setting("MNISTCORE_MAX_RUNS", round(10 * CORES)))
# A GPU run of these small models is bound by launching kernels: its worker keeps a core busy, and holds
# about 1 GiB of GPU memory (its CUDA context and its copy of the data). On an H200 with 16 cores
# (bench/gpu_bench.py), 4 runs at once trained 3.6-4.0x as many images/s as one alone, 8 runs 5.8-6.1x,
# 16 runs 8.3-8.5x: a run per core.
GPU_SLOTS = Slots(setting("MNISTCORE_GPU_RUNS", round(CORES)))
# What one browser may hold at once, its tabs together (waiting or training): a student with 25 tabs
# took 20 places of a server's 20 and the next student waited in line.
RUNS_PER_BROWSER = setting("MNISTCORE_RUNS_PER_BROWSER", 2)


class PerOwner:
    """At most `k` runs per owner (a browser) at once, waiting or training: the cap a class needs so that one
    student's tabs cannot hold every place."""

    def __init__(self, k: int):
        """Allow each owner `k` runs at once."""
        self.k = k
        self._lock = threading.Lock()
        self._runs: dict[object, list] = {}  # owner -> the jobs it started that may still be alive

    def held(self, owner: object) -> int:
        """How many of `owner`'s runs are waiting or training now."""
        with self._lock:
            return len(self._alive(owner))

    def _alive(self, owner: object) -> list:
        """`owner`'s runs that have not ended, kept; the ended ones forgotten."""
        runs = [job for job in self._runs.get(owner, []) if job.alive]
        if runs:
            self._runs[owner] = runs
        else:
            self._runs.pop(owner, None)
        return runs

    def start(self, owner: object, make):
        """`make()` started as a run of `owner`'s, or None (nothing made) when `owner` holds `k` already."""
        with self._lock:  # two tabs pressing Start together must not both slip under the cap
            runs = self._alive(owner)
            if len(runs) >= self.k:
                return None
            job = make().start()
            self._runs[owner] = [*runs, job]
            return job


    def stop_all(self) -> None:
        """Stop every run started through this cap: the server is shutting down (none of them is posted)."""
        with self._lock:
            for runs in self._runs.values():
                for job in runs:
                    job.interrupt()


BROWSER_RUNS = PerOwner(RUNS_PER_BROWSER)
