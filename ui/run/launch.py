"""Starting and resetting a tab's training run: the browser's fair share, the job, the board, the reaper and the
address that lets a reload find the run."""

from dataclasses import replace

import streamlit as st
import torch

from mnistcore import models
from mnistcore.data import Dataset
from mnistcore.serving import lines
from mnistcore.serving.jobs import Job
from mnistcore.train import TrainConfig
from ui.room import seat
from ui.state import browsers, reaper, reloads, shared_data


def start(config: TrainConfig, ds: Dataset, device: torch.device) -> None:
    """Start a run in the background (continuing from uploaded weights when there are some), within the browser's cap."""
    running = st.session_state.get("job")
    if running is not None and running.alive:  # a press delivered twice on a busy server: one run, not two
        return
    config = replace(config, seed=seat.run_seed(config.seed))  # in a room, each student's own
    base = st.session_state.get("uploaded")
    # the weights decide the model, and the run says where it began: its result is not this run's alone
    kind = st.session_state.get("uploaded_kind", "uploaded")  # a student's file, or the lesson's model (fine_tune.py)
    run_config = replace(config, model=models.kind_of(base), start=kind) if base is not None else config
    who = browsers.owner()
    # The shared CPU tensors: a GPU run's worker copies them to the GPU in its own CUDA context.
    started = lines.BROWSER_RUNS.start(who, lambda: Job(run_config, shared_data.prepared(ds, "cpu"), base, device=str(device),
                                                        dataset=(ds.key, ds.title, ds.classes), owner=who))
    if started is None:  # this browser's other tabs hold its places: say so, keep everything
        st.session_state["refused"] = True
        return
    for done_with in ("uploaded", "uploaded_kind", "refused", "run_gone"):
        st.session_state.pop(done_with, None)
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
