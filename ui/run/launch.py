"""Starting and resetting a tab's training run: the browser's fair share, the job, the board, the reaper and the
address that lets a reload find the run."""

from dataclasses import replace

import streamlit as st
import torch

from mnistcore import models, transfer
from mnistcore.data import Dataset
from mnistcore.serving import lines
from mnistcore.serving.jobs import Job
from mnistcore.train import TrainConfig
from ui.room import seat
from ui.state import browsers, reaper, reloads, session, shared_data


def start(config: TrainConfig, ds: Dataset, device: torch.device, way: str = transfer.ALONE) -> None:
    """Start a run in the background within the browser's cap: from fresh weights, from weights the student uploaded,
    or, with digits of one's own, as `way` says (choices.LEARN: MNIST's images checked on ours, or the lesson's model
    trained further on ours)."""
    running = st.session_state.get("job")
    if running is not None and running.alive:  # a press delivered twice on a busy server: one run, not two
        return
    config = replace(config, seed=seat.run_seed(config.seed))  # in a room, each student's own
    base, kind = st.session_state.get("uploaded"), "uploaded"
    if way == transfer.ADD:
        base, kind = session.lesson_model(shared_data.mnist()), "lesson"
    elif way == transfer.CHECK:
        base, config = None, replace(config, trained_on="mnist")
    # the weights decide the model, and the run says where it began: its result is not this run's alone
    run_config = replace(config, model=models.kind_of(base), start=kind) if base is not None else config
    data = shared_data.for_run(ds, way)
    who = browsers.owner()
    # The shared CPU tensors: a GPU run's worker copies them to the GPU in its own CUDA context.
    started = lines.BROWSER_RUNS.start(who, lambda: Job(run_config, data, base, device=str(device),
                                                        dataset=(ds.key, ds.title, ds.classes), owner=who))
    if started is None:  # this browser's other tabs hold its places: say so, keep everything
        st.session_state["refused"] = True
        return
    for done_with in ("uploaded", "refused", "run_gone") if kind == "uploaded" else ("refused", "run_gone"):
        st.session_state.pop(done_with, None)  # a student's file is used by the run that started from it
    st.session_state["job"] = started
    seat.post_when_finished(started)  # in a class room, its board gets the run when it ends
    reaper.watch(started)  # closing the tab stops the run
    st.query_params["run"] = "1"  # a reload that finds this but not the run knows the server lost it (reloads.py)
    reloads.remember()


def reset() -> None:
    """Stop the run and clear the charts (a second press before the page redrew finds nothing left to clear)."""
    job = st.session_state.pop("job", None)
    if job is not None:
        job.stop()
    st.query_params.pop("run", None)
