"""Training runs in worker processes: snapshots, pause/resume/stop, lines to wait in, workers that die."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import torch

from mnistcore.control import Control
from mnistcore.data import load_dataset
from mnistcore.prepare import to_tensors
from mnistcore.serving import live, workers
from mnistcore.serving.jobs import Job, Slots, wait_until
from mnistcore.train import TrainConfig


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


def test_a_run_its_server_interrupts_ends_stopped_and_is_nobodys_result(data):
    """SIGTERM stops a server's runs (deploy/app_server.py): each ends, and none is posted as its student's own."""
    called = []
    stopped = Job(TrainConfig(epochs=20, step_delay=0.02), data).start()
    interrupted = Job(TrainConfig(epochs=20, step_delay=0.02), data).start()
    for job in (stopped, interrupted):
        job.when_finished(called.append)
        assert wait_until(job, lambda s: s.step > 5, timeout=60)
    stopped.stop()  # the student's Stop: a result, posted
    interrupted.interrupt()
    for job in (stopped, interrupted):
        job.join(60)
        assert job.snapshot().status == "stopped"
    assert called == [stopped]


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
    slots.release(tokens[0])
    threads[0].join(2)
    assert order == [tokens[1]]
    slots.release(tokens[1])


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


def test_the_run_is_a_worker_process_at_lower_priority_reading_shared_data(data):
    job = Job(TrainConfig(epochs=50), data).start()
    assert wait_until(job, lambda s: s.step > 0, timeout=30)
    pid = job.process.pid
    assert pid != os.getpid() and os.getpriority(os.PRIO_PROCESS, pid) >= os.getpriority(os.PRIO_PROCESS, 0) + 5
    assert data.x_train.is_shared()  # the worker maps these pages; it does not get a copy
    assert os.getsid(pid) != os.getsid(0)  # a session of its own: Linux autogroup applies nice only inside one
    autogroup = Path(f"/proc/{pid}/autogroup")
    if autogroup.exists():
        assert autogroup.read_text().split()[-1] == str(workers.WORKER_NICE)  # "/autogroup-297 nice 10"
    job.stop()
    job.join(10)


SERVER = """
import sys, time
from mnistcore.serving import workers
from mnistcore.data import load_dataset
from mnistcore.serving.jobs import Job, wait_until
from mnistcore.prepare import to_tensors
from mnistcore.train import TrainConfig
if __name__ == "__main__":
    job = Job(TrainConfig(epochs=200), to_tensors(load_dataset("mnist", "sample"))).start()
    wait_until(job, lambda s: s.step > 0, timeout=60)
    job.pause()  # a paused worker sends nothing, so only the kernel can tell it that its server died
    busy = workers.submit(time.sleep, 600)  # and a page computation in the page pool
    while not workers._pool._processes:
        time.sleep(0.05)
    print(job.process.pid, *workers._pool._processes, flush=True)
    time.sleep(600)
"""


def test_workers_end_with_their_server_even_when_paused(tmp_path):
    script = tmp_path / "server.py"
    script.write_text(SERVER)
    server = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True,
                              cwd=Path(__file__).resolve().parents[2], env=os.environ | {"PYTHONPATH": "."})
    workers = [int(pid) for pid in server.stdout.readline().split()]
    assert len(workers) >= 2
    os.kill(server.pid, signal.SIGKILL)  # no clean-up runs: as when a server runs out of memory
    server.wait(10)
    deadline = time.monotonic() + 5
    while any(Path(f"/proc/{w}").exists() for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [w for w in workers if Path(f"/proc/{w}").exists()], "a worker outlived its server"


def test_pause_resume_and_stop_answer_within_half_a_second(data):
    job = Job(TrainConfig(epochs=200), data).start()
    assert wait_until(job, lambda s: s.step > 0, timeout=30)
    start = time.monotonic()
    job.pause()
    assert wait_until(job, lambda s: s.status == "paused", timeout=0.5)
    time.sleep(0.3)  # events already on their way may still land; after that nothing moves
    held = job.snapshot().step
    time.sleep(0.5)
    assert job.snapshot().step == held
    job.resume()
    assert wait_until(job, lambda s: s.step > held, timeout=0.5)
    start = time.monotonic()
    job.stop()
    job.join(1)
    assert not job.alive and time.monotonic() - start < 0.5
    assert job.snapshot().status == "stopped" and job.result.status == "stopped"


def test_a_run_has_ended_for_the_page_once_its_result_is_in_while_its_worker_still_exits(data):
    # A worker at low priority on a busy server took up to 1.2 s to exit after sending its result; the page
    # meanwhile kept polling a run that was over. The worker's exit can still win the race to the SIGSTOP below
    # now and then, so the test tries up to five runs: a page that waits for the exit loses every one of them.
    for _ in range(5):
        job = Job(TrainConfig(epochs=200), data).start()
        assert wait_until(job, lambda s: s.step > 0, timeout=30)
        job.stop()
        deadline = time.monotonic() + 10
        while job.alive and time.monotonic() < deadline:
            time.sleep(0.0005)
        worker = job.process.pid
        try:
            os.kill(worker, signal.SIGSTOP)
        except ProcessLookupError:  # already gone: this run proves nothing either way
            job.join(10)
            continue
        try:
            assert not job.alive and job.result is not None and job.snapshot().status == "stopped"
            assert Path(f"/proc/{worker}").exists()  # held: its exit is still to come (its slot is kept till then)
        finally:
            os.kill(worker, signal.SIGCONT)
        job.join(10)
        assert not Path(f"/proc/{worker}").exists()
        return
    pytest.fail("in five runs the page never saw a run end before its worker was gone")


def test_a_killed_worker_becomes_a_message_not_a_hang(data):
    job = Job(TrainConfig(epochs=200), data).start()
    assert wait_until(job, lambda s: s.step > 0, timeout=30)
    os.kill(job.process.pid, signal.SIGKILL)
    job.join(5)
    snap = job.snapshot()
    assert not job.alive and snap.status == "failed" and "was killed" in snap.message and "Start" in snap.message


@pytest.mark.parametrize("call", ["stop", "resume"])
def test_a_paused_run_whose_worker_was_killed_answers_stop_and_resume_at_once(data, call):
    job = Job(TrainConfig(epochs=200), data).start()
    assert wait_until(job, lambda s: s.step > 0, timeout=30)
    job.pause()
    assert wait_until(job, lambda s: s.status == "paused", timeout=0.5)
    time.sleep(0.5)  # the worker sleeps until it is resumed
    os.kill(job.process.pid, signal.SIGKILL)
    caller = threading.Thread(target=getattr(job, call), daemon=True)
    caller.start()
    caller.join(2)
    assert not caller.is_alive(), f"{call}() waited for a dead worker"
    job.join(5)
    assert not job.alive and job.snapshot().status == "failed"


def test_runs_beyond_the_cap_wait_in_line_with_their_place(data):
    slots = Slots(2)
    runs = [Job(TrainConfig(epochs=200), data, slots=slots).start() for _ in range(4)]
    assert wait_until(runs[3], lambda s: s.queue_position == 2, timeout=10)
    assert runs[2].snapshot().queue_position == 1
    runs[0].stop()
    assert wait_until(runs[3], lambda s: s.queue_position == 1, timeout=10)
    for job in runs:
        job.stop()
    for job in runs:
        job.join(10)
    assert [j.snapshot().status for j in runs] == ["stopped"] * 4


def test_the_sessions_model_is_not_changed_by_its_run(data):
    from mnistcore import models
    base = models.build("linear")
    before = base[0].weight.detach().clone()
    job = Job(TrainConfig(epochs=1), data, model=base).start()
    job.join(60)
    assert torch.equal(base[0].weight, before) and not torch.equal(job.result.model[0].weight, before)


def test_curves_are_thinned_for_the_page_but_end_at_the_last_step(data):
    job = Job(TrainConfig(epochs=12, report_every=1, eval_every=10), data).start()
    job.join(120)
    snap = job.snapshot()
    full = [e for e in snap.events if e.kind == "progress"]
    curves = live.curves(snap, max_points=100)
    steps, _ = curves["train loss"]
    assert len(full) > 500 and 50 <= len(steps) <= 101 and steps[-1] == full[-1].step
    assert curves["valid accuracy"][0][-1] == snap.step
    # the last step's validation pass and the run's ending are one point, not two at the same step
    valid_steps = curves["valid loss"][0]
    assert len(valid_steps) == len(set(valid_steps)) and valid_steps == curves["valid accuracy"][0]


def test_the_line_is_fair_between_browsers_and_each_browser_is_capped():
    slots, control = Slots(1), Control()
    holder = object()
    assert slots.acquire(holder, control, owner="tabs")
    served = []
    many = [object() for _ in range(3)]  # one browser's three more tabs, in line first
    late = object()  # another student, arriving after them
    threads = [threading.Thread(target=lambda t=t, o=o: served.append(t) if slots.acquire(t, control, owner=o) else None)
               for t, o in [*[(t, "tabs") for t in many], (late, "student")]]
    for th in threads:
        th.start()
        time.sleep(0.1)  # keep the arrival order
    assert slots.position(late) == 1 and slots.position(many[0]) == 2  # "tabs" holds a place already
    slots.release(holder)
    threads[-1].join(2)
    assert served == [late]
    slots.release(late)
    threads[0].join(2)
    assert served == [late, many[0]]  # then the first come of the rest
    control.stop()
    for th in threads:
        th.join(2)

    from mnistcore.serving.lines import PerOwner
    cap, data = PerOwner(2), to_tensors(load_dataset("mnist", "sample"))
    runs = [cap.start("browser", lambda: Job(TrainConfig(epochs=50), data)) for _ in range(3)]
    assert runs[2] is None and cap.held("browser") == 2  # the third tab is refused; nothing was made
    other = cap.start("another browser", lambda: Job(TrainConfig(epochs=50), data))
    assert other is not None and cap.held("another browser") == 1
    runs[0].stop()
    runs[0].join(30)
    assert cap.held("browser") == 1 and cap.start("browser", lambda: Job(TrainConfig(epochs=50), data)) is not None
    for job in [*runs[:2], other]:
        job.stop()


SPAWN_ONLY = """
import multiprocessing
import multiprocessing.context
for method in ("fork", "forkserver"):  # as on Windows: get_context("forkserver") raises "cannot find context"
    del multiprocessing.context._concrete_contexts[method]
multiprocessing.get_all_start_methods = lambda: ["spawn"]
from mnistcore.data import load_dataset
from mnistcore.prepare import to_tensors
from mnistcore.serving import workers
from mnistcore.serving.jobs import Job
from mnistcore.train import TrainConfig
assert workers.START_METHOD == "spawn"
workers.warm()
print("pool", workers.submit(sum, [1, 2, 3]).result(timeout=120))
job = Job(TrainConfig(max_steps=5), to_tensors(load_dataset("mnist", "sample"))).start()
job.join(120)
print("run", job.result.status, job.result.steps)
"""


def test_workers_start_where_python_has_no_forkserver():
    """Windows' Python has only spawn: the page pool and a training run still work there."""
    out = subprocess.run([sys.executable, "-c", SPAWN_ONLY], cwd=Path(__file__).resolve().parents[2], capture_output=True,
                         text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])})
    assert out.returncode == 0, out.stderr[-2000:]
    assert "pool 6" in out.stdout and "run done 5" in out.stdout, out.stdout


def test_a_run_keeps_its_newest_picture_only_and_a_bounded_number_of_events(data):
    job = Job(TrainConfig(epochs=2, batch_size=16, report_every=1, snapshot_every=1, eval_every=50), data).start()
    job.join(120)
    snap = job.snapshot()
    assert snap.weights is not None and snap.weights.shape == (10, 784)  # the picture the page draws
    assert not [e for e in snap.events if e.weights is not None]  # one 31 KB picture per 0.1 s was kept for ever
    assert len(snap.events) <= live.MAX_EVENTS and snap.step == 500  # 500 progress events, 10 evals: under the bound


def test_merging_bounds_the_events_and_keeps_the_mean_loss_every_validation_and_the_last_step():
    from mnistcore.train import Event
    progress = [Event("progress", s, 10_000, 0.0, 0.0, 0.0, train_loss=float(s % 7)) for s in range(1, 10_001)]
    evals = [Event("eval", s, 10_000, 0.0, 0.0, 0.0, valid_loss=1.0, valid_accuracy=0.9) for s in range(100, 10_001, 100)]
    events = sorted(progress + evals + [Event("done", 10_000, 10_000, 1.0, 0.0, 0.0, valid_loss=1.0)],
                    key=lambda e: (e.step, e.kind != "progress"))
    kept = events
    while len(kept) > live.MAX_EVENTS:  # as a run's job merges them, batch after batch
        kept = live.merged(kept)
    kept_progress = [e for e in kept if e.kind == "progress"]
    assert len(kept) <= live.MAX_EVENTS and [e for e in kept if e.kind != "progress"] == evals + [events[-1]]
    assert kept_progress[-1].step == 10_000 and [e.step for e in kept] == sorted(e.step for e in kept)
    spans = [b.step - a.step for a, b in zip([Event("progress", 0, 0, 0, 0, 0)] + kept_progress, kept_progress)]
    mean = sum(e.train_loss * n for e, n in zip(kept_progress, spans)) / 10_000
    assert abs(mean - sum(s % 7 for s in range(1, 10_001)) / 10_000) < 1e-9  # the loss over the run is the same
