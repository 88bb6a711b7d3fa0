"""The worker processes of one app server: the forkserver they fork from (torch imported once), their
priority below the server's, their end with the server, the data they share, and the pool that
computes what pages need.

Training runs (mnistcore.serving.jobs) and page computations (ui/state/server_work.py) both start here.
"""

import multiprocessing as mp
import os
import select
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import spawn
from pathlib import Path

import torch
import torch.multiprocessing  # noqa: F401  (registers the reductions that pass tensors as shared memory)

from mnistcore.prepare import Tensors


def setting(name: str, default: int) -> int:
    """An integer setting from the environment."""
    return int(os.environ.get(name, default))


# The cores this server may count on: the machine's, shared among the app servers that deploy/serve.py
# starts on it (it sets MNISTCORE_SERVERS).
CORES = max(1.0, (os.cpu_count() or 1) / setting("MNISTCORE_SERVERS", 1))
# With PyTorch's default of one OpenMP thread per core, a run's threads wait on each other whenever
# a core is busy elsewhere (24% of headless speed with the page open, bench/browser_bench.py).
RUN_THREADS = setting("MNISTCORE_TORCH_THREADS", 1)
WORKER_NICE = setting("MNISTCORE_WORKER_NICE", 10)  # pages first: the server keeps nice 0


def lower_priority_group(nice: int | None = None) -> None:
    """Move this process (the forkserver; every worker forks from it) into a scheduling group of its own at `nice`
    (default WORKER_NICE).

    Linux's autogroup (on by default in Debian's and Ubuntu's kernels) shares the CPU fairly between
    sessions first and applies nice only inside a session: a worker at nice 10 in the server's
    session still took CPU from the server and from other sessions (a browser on the same machine) as
    if it had nice 0. A session of their own, at the group's nice 10, makes the runs yield to all of it.
    """
    try:
        os.setsid()
        Path("/proc/self/autogroup").write_text(f"{WORKER_NICE if nice is None else nice}\n")
    except (OSError, AttributeError):  # AttributeError: Windows has no setsid
        pass  # already a session leader, or no autogroup in this kernel: nice per process still applies


def end_with(server: int) -> None:
    """End this worker as soon as the server process `server` ends, whatever its run is doing.

    A worker is in a session of its own (lower_priority_group), so a signal to the server's process
    group misses it; a paused run sends nothing that could fail; and the forkserver lives on while any
    worker does. A pidfd becomes readable when its process ends: a thread waits on it (without the GIL).
    """
    try:
        fd = os.pidfd_open(server)
    except ProcessLookupError:
        os._exit(1)  # the server is gone already
    except (OSError, AttributeError):
        return  # not Linux 5.3+: a running worker still ends when its next send fails

    def watch() -> None:
        select.select([fd], [], [])
        os._exit(1)

    threading.Thread(target=watch, name="end-with-server", daemon=True).start()


_context_lock = threading.Lock()
_context: mp.context.BaseContext | None = None


def _preparation_without_main(name: str) -> dict:
    """What a new worker is told to set up, minus the parent's __main__.

    Streamlit runs each page script as `__main__` (app.py), and multiprocessing would re-import
    that module in every worker, running the whole app there. The workers' code lives in
    mnistcore modules and never needs it.
    """
    data = _preparation(name)
    data.pop("init_main_from_path", None)
    data.pop("init_main_from_name", None)
    return data


_preparation = spawn.get_preparation_data
# Windows' Python has no forkserver: there each worker starts afresh (spawn) and imports torch itself.
START_METHOD = "forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn"


def context() -> mp.context.BaseContext:
    """The context every worker starts from: the forkserver, which imports torch once (spawn where there is none)."""
    global _context
    with _context_lock:
        if _context is None:
            spawn.get_preparation_data = _preparation_without_main
            ctx = mp.get_context(START_METHOD)
            if START_METHOD == "forkserver":
                ctx.set_forkserver_preload(["mnistcore.serving.worker_preload"])
            _context = ctx
        return _context


def share(data: Tensors) -> Tensors:
    """Move CPU tensors into shared memory (in place), so workers map them instead of copying."""
    for t in (data.x_train, data.y_train, data.x_valid, data.y_valid):
        if t.device.type == "cpu" and not t.is_shared():
            t.share_memory_()
    return data


_pool_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
POOL_WORKERS = setting("MNISTCORE_PAGE_WORKERS", max(1, (os.cpu_count() or 1) // 2))
# A page waits for what the pool computes, so the pool comes before the runs: in the runs' scheduling group
# it had one share in eleven with ten runs training, and a new student's page waited 7 s for the learning
# page's fits (bench/class_bench.py). A group of its own at nice 5 weighs three times all the runs' group
# together, and still yields to the server (nice 0). The pool's work is bounded (ui/state/server_work.py).
PAGE_WORKER_NICE = setting("MNISTCORE_PAGE_WORKER_NICE", 5)


def _pool_worker_init(server: int) -> None:
    """A page worker: its own scheduling group above the runs', one thread, and an end with the server."""
    lower_priority_group(PAGE_WORKER_NICE)
    end_with(server)
    torch.set_num_threads(RUN_THREADS)


def submit(fn, *args) -> Future:
    """Run `fn(*args)` in a worker process of the page pool; a broken pool is replaced."""
    global _pool
    with _pool_lock:
        for _ in range(2):
            if _pool is None:
                _pool = ProcessPoolExecutor(POOL_WORKERS, mp_context=context(), initializer=_pool_worker_init,
                                            initargs=(os.getpid(),))
            try:
                return _pool.submit(fn, *args)
            except BrokenProcessPool:  # a worker was killed: start a fresh pool once
                _pool.shutdown(wait=False, cancel_futures=True)
                _pool = None
        raise BrokenProcessPool("the page workers could not be started")


_warming = threading.Lock()


def warm() -> None:
    """Start the forkserver in the background (once), so the first run or page computation does not wait for it."""
    if START_METHOD == "forkserver" and _warming.acquire(blocking=False):  # never released: once per process
        from multiprocessing import forkserver

        threading.Thread(target=lambda: context() and forkserver.ensure_running(), name="forkserver-warm",
                         daemon=True).start()
