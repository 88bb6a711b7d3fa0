"""Live training: the lesson's model learns while its ten weight templates take shape."""

import streamlit as st

from mnistcore import choices, data, devices, models, transfer
from mnistcore.serving.jobs import Job
from mnistcore.serving.live import watched
from mnistcore.train import TrainConfig, steps_per_epoch
from mnistcore.tutor import notebook
from ui.course import lesson_path, quiz
from ui.run import choice_widgets, launch, live_view, weights_files
from ui.sections import fine_tune
from ui.state import session, settings, shared_data

LESSON_ACCURACY = 0.9172  # the notebook's fit output after one epoch: [0. 0.3213 0.2882 0.9172]
ds, device = session.dataset(), session.device()
job: Job | None = st.session_state.get("job")

st.title("Live training")
intro = st.empty()  # its numbers are the settings', read below
# The run comes first, right under the buttons: at 1280 x 720 its curves and templates fit without scrolling, and
# pressing Start never moves what the student is looking at.
run_area = st.container()

with st.expander("Settings (the defaults are the lesson's)", expanded=job is None):
    c = st.columns([3, 2, 3, 2]) + st.columns(4)  # the model's name is the longest: "The lesson's nn.Sequential"
    chosen = {}
    for where, choice in zip(c, choices.RUN):
        if choice is choices.MOMENTUM and chosen["optim"] != "sgd":
            # not a greyed-out slider: its pale label failed WCAG contrast, and Adam has its own momentum
            settings.keep("mom")  # checked even while Adam hides it
            chosen["mom"] = settings.value("mom")
            where.caption("Momentum: set for SGD (Adam keeps its own running averages).")
        else:
            chosen[choice.key] = choice_widgets.widget(where, choice, **settings.keep(choice.key))
    st.caption(f"{models.DESCRIPTIONS[chosen['model']]} Computing on **{devices.describe(device)}**.")
intro.markdown(f"Each step shows the model {chosen['batch']} images and nudges every weight a little downhill. Each class's "
               f"{ds.x_train[0].size} weights are drawn as a 28 × 28 picture: blue pixels count **for** the class, red ones "
               f"**against** it. A run starts in **slow motion** (an epoch in about {choices.WATCH_EPOCH_SECONDS} s), so you can "
               f"watch the blurry blobs become a {', a '.join(ds.classes[:3])}...; **Full speed** lets it race.")
way = fine_tune.offer(ds)  # digits of our own: what the lesson's model makes of them, and which images to learn from
n_train = len(shared_data.for_run(ds, way).x_train)
config = watched(TrainConfig.from_choices(chosen, seed=session.seed(), n_train=n_train), n_train)
epoch_steps = steps_per_epoch(config.batch_size, n_train)


def lesson_note(row) -> None:
    """What the lesson reached with these settings, beside the buttons."""
    if any(chosen[c.key] != c.default for c in (choices.MODEL, choices.OPTIMIZER, choices.LR, choices.BATCH, choices.EPOCHS)):
        return
    if len(ds.x_train) == data.N_TRAIN and ds.name == "mnist":
        row.markdown(f"**The lesson:** {LESSON_ACCURACY:.1%} after this epoch")
    elif way != transfer.ALONE:
        row.caption(f"The lesson's {LESSON_ACCURACY:.1%} is on MNIST's own validation digits; this run is checked on ours.")
    elif ds.name != "mnist":
        row.caption(f"The lesson's {LESSON_ACCURACY:.1%} after this epoch is for MNIST's digits; "
                    f"{ds.title} is another, harder task, so expect less.")
    else:
        row.caption(f"The lesson reached {LESSON_ACCURACY:.1%} on {data.N_TRAIN:,} images "
                    f"({steps_per_epoch(choices.BATCH.default, data.N_TRAIN)} steps). Here one epoch is {epoch_steps} steps "
                    f"on {len(ds.x_train):,} images, so expect less; a few more epochs close "
                    "much of the gap.")


with run_area:
    live_view.show(job, ds, lambda: launch.start(config, ds, device, way), launch.reset, lesson_note)
finished = job is not None and not job.alive and job.result is not None
if finished:
    weights_files.finished(job)
weights_files.upload(ds)
# the settings on screen, or the finished run's own when there is one (a student may have moved a slider since)
take_home = job.result.config if finished else config
alone = take_home.start == "fresh" and not take_home.trained_on  # the notebook trains a new model on these images
st.download_button("Continue in a notebook", lambda: notebook.training_notebook(
    take_home, ds, str(device), job.result.valid_accuracy if finished and alone else None), "mnist-training.ipynb",
    mime="application/x-ipynb+json", icon=":material/terminal:",
    help="A Jupyter notebook in plain PyTorch (it runs on Colab) that loads these images, normalizes them, builds this "
         "model with these settings and seed, trains it and prints the validation accuracy" +
         (": the same figure as here." if alone else ". It trains a new model on these images alone, not from other "
                                                     "weights and not on MNIST, so its figure is not this run's."))
settings.publish(*choices.BY_KEY, *([choices.LEARN.key] if transfer.reads_digits(ds) else []))
ran = finished and job.dataset_key == ds.key
quiz.ask("training", {"run": {"config": job.result.config, "status": job.result.status, "accuracy": job.result.valid_accuracy,
                              "n_train": len(job.data.x_train)} if ran else None}, ds.classes)
lesson_path.next_step(__file__)
