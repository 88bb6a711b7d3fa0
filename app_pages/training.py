"""Live training: the lesson's model learns while its ten weight templates take shape."""

import time
from dataclasses import replace

import streamlit as st

from app_pages import browsers, lesson_path, reaper, reloads, shared, weights_files
from mnistcore import devices, figures, models
from mnistcore.serving import lines, live, pictures
from mnistcore.serving.jobs import Job
from mnistcore.serving.live import watched
from mnistcore.train import TrainConfig, total_steps

LRS = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0, 3.0, 10.0]
BATCHES = [16, 32, 64, 128, 256, 512, 1024]
SPELLINGS = {"one-cycle": "onecycle", "one_cycle": "onecycle", "1cycle": "onecycle", "fixed": "constant"}
MAX_EPOCHS = 100  # a long run for a class to watch: about a minute of Fashion-MNIST on one core
LESSON_ACCURACY = 0.9172  # the notebook's fit output after one epoch: [0. 0.3213 0.2882 0.9172]
WATCH_EPOCH_SECONDS = 25  # slow motion: one epoch in about this long, whatever its number of steps, so eyes can follow
ds, device = shared.dataset(), shared.device()
st.title("Live training")
job: Job | None = st.session_state.get("job")
running = bool(job and job.alive)
# A run, once there is one, comes first: on a projector (1280 x 720) its curves and templates fit without scrolling.
run_area = st.container()
st.markdown(
    "Each step shows the model 64 images, measures its loss, and nudges every weight a little downhill. "
    "For the linear models each class has one weight per pixel, so its 784 weights can be drawn as a "
    "28 × 28 picture: blue pixels count **for** the class, red ones **against** it. Watch them turn into templates."
)
st.markdown(f"A run starts in **slow motion**: one epoch takes about {WATCH_EPOCH_SECONDS} s, so you can see the "
            "blurry blobs become a 0, a 1, a 2... Press **Full speed** at any moment to let it race.")

with st.expander("Settings (the defaults are the lesson's)", expanded=job is None):
    c = st.columns(4)
    model_name = c[0].selectbox("Model", list(models.NAMES), format_func=models.NAMES.get,
                                **shared.keep("model", "linear", shared.one_of(list(models.NAMES))))
    optimizer = c[1].radio("Optimizer", ["adam", "sgd"], horizontal=True, format_func={"adam": "Adam", "sgd": "SGD"}.get,
                           **shared.keep("optim", "adam", shared.one_of(["adam", "sgd"])))
    lr = c[2].select_slider("Learning rate", LRS, format_func=lambda v: f"{v:g}", **shared.keep("lr", 1e-3, shared.one_of(LRS, float)))
    batch = c[3].select_slider("Batch size", BATCHES, **shared.keep("batch", 64, shared.one_of(BATCHES, int)))
    c = st.columns(4)
    epochs = c[0].number_input("Epochs", 1, MAX_EPOCHS, **shared.keep("epochs", 1, shared.int_in(1, MAX_EPOCHS)))
    schedule = c[1].radio("Schedule", ["constant", "onecycle"], horizontal=True, format_func={"constant": "constant", "onecycle": "one-cycle"}.get,
                          **shared.keep("sched", "constant", shared.one_of(["constant", "onecycle"], aliases=SPELLINGS)))
    momentum = c[2].slider("Momentum (SGD)", 0.0, 0.99, disabled=optimizer != "sgd", **shared.keep("mom", 0.9, shared.float_in(0, 0.99)))
    pace = c[3].radio("Pace", ["slow", "full"], horizontal=True, format_func={"full": "full speed", "slow": "slow motion"}.get,
                      help=f"Slow motion rests after each step so that an epoch takes about {WATCH_EPOCH_SECONDS} s and "
                           "you can watch the templates form. Full speed trains an epoch of all of MNIST in about a second.",
                      **shared.keep("pace", "slow", shared.one_of(["slow", "full"])))
    st.caption(f"{models.DESCRIPTIONS[model_name]} Computing on **{devices.describe(device)}**.")
config = watched(TrainConfig(model=model_name, optimizer=optimizer, lr=lr, momentum=momentum, batch_size=int(batch),
                             epochs=int(epochs), schedule=schedule, seed=shared.seed(),
                             step_delay=WATCH_EPOCH_SECONDS / total_steps(TrainConfig(batch_size=int(batch)), len(ds.x_train))
                             if pace == "slow" else 0.0), len(ds.x_train))
elsewhere = job is not None and job.dataset_key != ds.key  # the run belongs to the data set it trained on


def start() -> None:
    """Start a run in the background (continuing from uploaded weights when there are some)."""
    base = st.session_state.get("uploaded")
    run_config = replace(config, model=models.kind_of(base)) if base is not None else config  # the weights decide
    who = browsers.owner()
    # The shared CPU tensors: a GPU run's worker copies them to the GPU in its own CUDA context.
    job = lines.BROWSER_RUNS.start(who, lambda: Job(run_config, shared.prepared(ds, "cpu"), base, device=str(device),
                                                    dataset=(ds.key, ds.title, ds.classes), owner=who))
    if job is None:  # this browser's other tabs hold its places: say so, keep everything
        st.session_state["refused"] = True
        return
    st.session_state.pop("uploaded", None)
    st.session_state.pop("refused", None)
    st.session_state["job"] = job
    reaper.watch(st.session_state["job"])  # closing the tab stops the run
    st.query_params["run"] = "1"  # a reload that finds this but not the run knows the server lost it (reloads.py)
    st.session_state.pop("run_gone", None)
    reloads.remember()


def reset() -> None:
    """Stop the run and clear the charts."""
    st.session_state["job"].stop()
    st.session_state.pop("job", None)
    st.query_params.pop("run", None)


def buttons(job: Job | None) -> None:
    """Start, pause or resume, stop, reset; inside the polled fragment, so a click redraws only that part."""
    alive = bool(job and job.alive)
    b = st.columns(5)
    b[0].button("Start", icon=":material/play_arrow:", on_click=start, disabled=alive, type="primary")
    if alive and job.paused:
        b[1].button("Resume", icon=":material/resume:", on_click=job.resume)
    else:
        b[1].button("Pause", icon=":material/pause:", on_click=job.pause if job else None, disabled=not alive)
    b[2].button("Stop", icon=":material/stop:", on_click=job.stop if job else None, disabled=not alive or job.control.stopped)
    b[3].button("Reset", icon=":material/restart_alt:", on_click=reset, disabled=job is None)
    if alive and job.slow:
        b[4].button("Full speed", icon=":material/fast_forward:", on_click=job.hurry,
                    help="Drop the slow motion: the rest of this run goes as fast as the computer can.")
        return
    lesson_settings = (model_name, optimizer, lr, batch, epochs) == ("linear", "adam", 1e-3, 64, 1)
    if lesson_settings and len(ds.x_train) == 50_000 and ds.name == "mnist":
        b[4].markdown(f"**The lesson:** {LESSON_ACCURACY:.1%} after this epoch")
    elif lesson_settings:
        b[4].caption(f"The lesson reached {LESSON_ACCURACY:.1%} on 50,000 images (782 steps). Here one epoch is "
                     f"{total_steps(config, len(ds.x_train))} steps on {len(ds.x_train):,} images, so expect less; a few more epochs close much of the gap.")


def on_cpu() -> None:
    """After a GPU out-of-memory: switch this session to the CPU and start again."""
    st.session_state["kept:device"] = "cpu"  # the sidebar's device box is re-seeded from this
    st.session_state.pop("job", None)


# How often the page redraws while its run trains. Each redraw costs the student's browser tens of
# milliseconds and the server a few, so the more runs share this server's cores, the less often each
# page redraws (at most 5 times less): buttons still answer at once, since a click reruns the page.
slower = live.redraw_slowdown()  # read on every full run; a fragment reruns the page when it changes
st.session_state.pop("pace_since", None)  # when this page first saw the load ask for another pace
PACE_SETTLE = 5.0  # seconds: a class that stops together changes the load ten times in a second


def pace_changed() -> bool:
    """True once the server's load has asked for another pace than this page's for PACE_SETTLE seconds.

    Changing the pace reruns the whole page; doing it at every change made each page of a class that
    pressed Stop together rerun several times, while the others waited for their Stop to show."""
    if live.redraw_slowdown() == slower:
        st.session_state.pop("pace_since", None)
        return False
    return time.monotonic() - st.session_state.setdefault("pace_since", time.monotonic()) >= PACE_SETTLE


@st.fragment(run_every=0.5 * slower if running else None)
def progress() -> None:
    """Every half second (slower on a busy server), the cheap part: the buttons, where the run is, and its words
    when it fails."""
    if st.session_state.get("job") is not job:
        st.rerun()  # a run started or was reset: the whole page changes
    buttons(job)
    if st.session_state.get("refused") and job is None:
        k = lines.BROWSER_RUNS.k
        st.warning(f"This browser already has {k} run{'s' if k > 1 else ''} waiting or training, in its other tabs. Stop one "
                   f"there, or let it end, then press **Start** again: each browser may train {k} at once, so that every "
                   "student in the class gets a place.", icon=":material/group:")
    if job is None:
        if st.session_state.get("run_gone"):
            st.warning("The training run this tab had is gone: the server that ran it has stopped or restarted since. "
                       "Your settings are kept; press **Start** to train again.")
        st.info("Press **Start** to train. You can leave this page: the run goes on, and it is here when you come back.")
        return
    if elsewhere:
        st.warning(f"This run trained on **{job.dataset_title}**, and the sidebar now says {ds.title} "
                   f"({len(ds.x_train):,} training images). Its numbers and templates below are {job.dataset_title}'s. "
                   "Press **Reset**, then **Start**, to train on the data in use, or switch the sidebar back.")
    snap = job.snapshot()
    if snap.queue_position:
        where = "the GPU" if job.device.startswith("cuda") else "this server"
        st.warning(f"Every training place on {where} is taken by other students' runs: you are number "
                   f"{snap.queue_position} in line, and your run starts by itself when a place frees up.")
    frac = snap.step / snap.total_steps if snap.total_steps else 0.0
    left = f" · about {snap.seconds_left:.0f} s left" if snap.seconds_left is not None else ""
    st.progress(frac, text=f"{snap.status}: step {snap.step:,} of {snap.total_steps:,} · {snap.images_per_second:,.0f} images/s{left}")
    if snap.status in ("diverged", "failed"):
        st.error(shared.plain(snap.message))
    if snap.status == "failed" and "out of memory" in snap.message:
        st.button("Train on the CPU instead", icon=":material/memory:", on_click=on_cpu)
    if job.alive != running:  # it ended: its line says so already, the rest of the page follows (charts, downloads)
        st.rerun()
    if running and snap.status == "running" and pace_changed():
        st.rerun()  # the server's load changed the pace of the fragments


@st.fragment(run_every=2.0 * slower if running else None)
def charts() -> None:
    """Every two seconds (slower on a busy server), the costly part: curves and templates. Redrawing charts is
    most of what a poll costs the browser (bench/class_bench.py), and they change slowly to the eye."""
    if job is None:
        return
    snap = job.snapshot()
    series = live.curves(snap)
    charts_of = {"Loss": ({"train (smoothed)": series["train loss"], "valid": series["valid loss"]}, "loss (NLL)", None, 0.0),
                 # at least 20 points of accuracy tall: a wobble of 0.5% must not look like a leap
                 "Accuracy": ({"valid accuracy": series["valid accuracy"]}, "valid accuracy", (0, 1), 0.2)}
    curves_side, templates_side = st.columns([2, 3])
    if series["valid loss"][0]:
        m = curves_side.columns(2)
        m[0].metric("valid accuracy", f"{series['valid accuracy'][1][-1]:.2%}")
        m[1].metric("valid loss", f"{series['valid loss'][1][-1]:.4f}")
    for title, (named, y_title, bounds, span) in charts_of.items():
        if job.alive:  # a picture while it trains: a Plotly redraw cost the browser more than the rest of a poll
            curves_side.image(pictures.curves_svg(named, title=title, y_title=y_title, y_bounds=bounds, min_span=span,
                                                  width=480, height=230), width="stretch")
        else:  # the ended run: hover for the numbers, drag to zoom
            curves_side.plotly_chart(figures.run_curves(named, title=title, y_title=y_title, y_bounds=bounds,
                                                        min_span=span, height=230), key=f"{title}_chart")
    if snap.weights is not None:
        titles = list(job.dataset_classes) if job.config.model != "mlp" else snap.weight_titles
        if job.alive:  # a picture while it trains: a heatmap per poll slowed training (bench/browser_bench.py)
            templates_side.image(pictures.weights_png(snap.weights, titles, zoom=5),
                                 caption="Weights now: blue counts for the class, red against; "
                                         "each template on its own scale (±its largest weight)")
        else:
            templates_side.plotly_chart(figures.weight_grid(snap.weights, titles), key="weights_chart")


# The browser loads plotly.js (a few MB) with the first Plotly chart a page shows. Load it now, hidden, while the student
# reads the page: the first chart would otherwise be the ended run's, and the browser's final redraw after Stop cost
# 2.2-2.6 s of CPU instead of 0.5-0.8 s, in every page of a class that stopped together.
with st.container(key="plotly_preload"):
    st.plotly_chart(figures.run_curves({}, title="", y_title=""), key="plotly_preload_chart")
st.html("<style>.st-key-plotly_preload {display: none;}</style>")
if running:  # no fades or spinners while it polls: each redraw then costs the browser about 30% less (measured)
    st.html("<style>*, *::before, *::after {transition: none !important; animation: none !important;}</style>")
with run_area if job is not None else st.container():
    progress()
    charts()

if job and not job.alive and job.result is not None:
    weights_files.finished(job)
weights_files.upload(ds)
shared.publish("model", "optim", "lr", "batch", "epochs", "sched", "mom", "pace")
lesson_path.next_step(__file__)
