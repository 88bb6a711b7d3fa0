"""Live training: the lesson's model learns while its ten weight templates take shape."""

from dataclasses import replace

import streamlit as st

from mnistcore import devices, models
from mnistcore.serving import lines
from mnistcore.serving.jobs import Job
from mnistcore.serving.live import watched
from mnistcore.train import TrainConfig, total_steps
from mnistcore.tutor import notebook
from ui.course import lesson_path, quiz
from ui.room import seat
from ui.run import live_view, reaper, weights_files
from ui.run.run_choices import BATCHES, LRS, MAX_EPOCHS, OPTIMIZERS, PACES, SCHEDULES, SPELLINGS
from ui.state import browsers, reloads, session, settings, shared_data

LESSON_ACCURACY = 0.9172  # the notebook's fit output after one epoch: [0. 0.3213 0.2882 0.9172]
WATCH_EPOCH_SECONDS = 25  # slow motion: one epoch in about this long, whatever its number of steps, so eyes can follow
ds, device = session.dataset(), session.device()
job: Job | None = st.session_state.get("job")

st.title("Live training")
st.markdown(f"Each step shows the model 64 images and nudges every weight a little downhill. Each class's 784 weights "
            "are drawn as a 28 × 28 picture: blue pixels count **for** the class, red ones **against** it. A run starts "
            f"in **slow motion** (an epoch in about {WATCH_EPOCH_SECONDS} s), so you can watch the blurry blobs become a "
            "0, a 1, a 2...; **Full speed** lets it race.")
# The run comes first, right under the buttons: at 1280 x 720 its curves and templates fit without scrolling, and
# pressing Start never moves what the student is looking at.
run_area = st.container()

with st.expander("Settings (the defaults are the lesson's)", expanded=job is None):
    c = st.columns(4)
    model_name = c[0].selectbox("Model", list(models.NAMES), format_func=models.NAMES.get,
                                **settings.keep("model", "linear", settings.one_of(list(models.NAMES))))
    optimizer = c[1].radio("Optimizer", ["adam", "sgd"], horizontal=True, format_func=OPTIMIZERS.get,
                           **settings.keep("optim", "adam", settings.one_of(["adam", "sgd"])))
    lr = c[2].select_slider("Learning rate", LRS, format_func=lambda v: f"{v:g}",
                            **settings.keep("lr", 1e-3, settings.one_of(LRS, float)))
    batch = c[3].select_slider("Batch size", BATCHES, **settings.keep("batch", 64, settings.one_of(BATCHES, int)))
    c = st.columns(4)
    epochs = c[0].number_input("Epochs", 1, MAX_EPOCHS, **settings.keep("epochs", 1, settings.int_in(1, MAX_EPOCHS)))
    schedule = c[1].radio("Schedule", ["constant", "onecycle"], horizontal=True,
                          format_func=SCHEDULES.get,
                          **settings.keep("sched", "constant", settings.one_of(["constant", "onecycle"], aliases=SPELLINGS)))
    kept_momentum = settings.keep("mom", 0.9, settings.float_in(0, 0.99))  # checked even while Adam hides it
    if optimizer == "sgd":
        momentum = c[2].slider("Momentum (SGD)", 0.0, 0.99, **kept_momentum)
    else:  # not a greyed-out slider: its pale label failed WCAG contrast, and Adam has its own momentum
        momentum = settings.value("mom")
        c[2].caption("Momentum: set for SGD (Adam keeps its own running averages).")
    pace = c[3].radio("Pace", ["slow", "full"], horizontal=True, format_func=PACES.get,
                      help=f"Slow motion rests after each step so that an epoch takes about {WATCH_EPOCH_SECONDS} s and "
                           "you can watch the templates form. Full speed trains an epoch of all of MNIST in about a second.",
                      **settings.keep("pace", "slow", settings.one_of(["slow", "full"])))
    st.caption(f"{models.DESCRIPTIONS[model_name]} Computing on **{devices.describe(device)}**.")
steps_per_epoch = total_steps(TrainConfig(batch_size=int(batch)), len(ds.x_train))
config = watched(TrainConfig(model=model_name, optimizer=optimizer, lr=lr, momentum=momentum, batch_size=int(batch),
                             epochs=int(epochs), schedule=schedule, seed=session.seed(),
                             step_delay=WATCH_EPOCH_SECONDS / steps_per_epoch if pace == "slow" else 0.0), len(ds.x_train))


def start() -> None:
    """Start a run in the background (continuing from uploaded weights when there are some), within the browser's cap."""
    running = st.session_state.get("job")
    if running is not None and running.alive:  # a press delivered twice on a busy server: one run, not two
        return
    base = st.session_state.get("uploaded")
    run_config = replace(config, model=models.kind_of(base)) if base is not None else config  # the weights decide
    who = browsers.owner()
    # The shared CPU tensors: a GPU run's worker copies them to the GPU in its own CUDA context.
    started = lines.BROWSER_RUNS.start(who, lambda: Job(run_config, shared_data.prepared(ds, "cpu"), base, device=str(device),
                                                        dataset=(ds.key, ds.title, ds.classes), owner=who))
    if started is None:  # this browser's other tabs hold its places: say so, keep everything
        st.session_state["refused"] = True
        return
    for done_with in ("uploaded", "refused", "run_gone"):
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


def lesson_note(row) -> None:
    """What the lesson reached with these settings, beside the buttons."""
    if (model_name, optimizer, lr, batch, epochs) != ("linear", "adam", 1e-3, 64, 1):
        return
    if len(ds.x_train) == 50_000 and ds.name == "mnist":
        row.markdown(f"**The lesson:** {LESSON_ACCURACY:.1%} after this epoch")
    elif ds.name != "mnist":
        row.caption(f"The lesson's {LESSON_ACCURACY:.1%} after this epoch is for MNIST's digits; "
                    f"{ds.title} is another, harder task, so expect less.")
    else:
        row.caption(f"The lesson reached {LESSON_ACCURACY:.1%} on 50,000 images (782 steps). Here one epoch is "
                    f"{steps_per_epoch} steps on {len(ds.x_train):,} images, so expect less; a few more epochs close "
                    "much of the gap.")


with run_area:
    live_view.show(job, ds, start, reset, lesson_note)
finished = job is not None and not job.alive and job.result is not None
if finished:
    weights_files.finished(job)
weights_files.upload(ds)
# the settings on screen, or the finished run's own when there is one (a student may have moved a slider since)
take_home = job.result.config if finished else config
st.download_button("Continue in a notebook", lambda: notebook.training_notebook(
    take_home, ds, str(device), job.result.valid_accuracy if finished else None), "mnist-training.ipynb",
    mime="application/x-ipynb+json", icon=":material/terminal:",
    help="A Jupyter notebook in plain PyTorch (it runs on Colab) that loads these images, normalizes them, builds this "
         "model with these settings and seed, trains it and prints the validation accuracy: the same figure as here.")
settings.publish("model", "optim", "lr", "batch", "epochs", "sched", "mom", "pace")
ran = finished and job.dataset_key == ds.key
quiz.ask("training", {"run": {"config": job.result.config, "status": job.result.status, "accuracy": job.result.valid_accuracy,
                              "n_train": len(job.data.x_train)} if ran else None}, ds.classes)
lesson_path.next_step(__file__)
