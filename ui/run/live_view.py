"""The training page's live view: Start; the other buttons and the progress line, polled every half second; the curves and
templates, polled every two; their pace on a busy server; and what keeps a poll cheap for the browser."""

import time
from collections.abc import Callable

import streamlit as st

from mnistcore import figures
from mnistcore.data import Dataset
from mnistcore.figures import live_pictures, sentences
from mnistcore.serving import lines, live
from mnistcore.serving.jobs import Job
from ui.show import fragments, looks, plots, words
from ui.state import settings

PACE_SETTLE = 5.0  # seconds: a class that stops together changes the load ten times in a second


def pace_changed(slower: int) -> bool:
    """True once the server's load has asked for another pace than `slower` for PACE_SETTLE seconds.

    Changing the pace reruns the whole page; doing it at every change made each page of a class that
    pressed Stop together rerun several times, while the others waited for their Stop to show."""
    if live.redraw_slowdown() == slower:
        st.session_state.pop("pace_since", None)
        return False
    return time.monotonic() - st.session_state.setdefault("pace_since", time.monotonic()) >= PACE_SETTLE


def on_cpu() -> None:
    """After a GPU out-of-memory: switch this session to the CPU and start again."""
    settings.put("device", "cpu")  # the sidebar's device box is re-seeded from this
    st.session_state.pop("job", None)


def buttons(job: Job | None, reset: Callable, beside: Callable) -> None:
    """Pause or resume, stop, reset, and Full speed while a run rests between steps (else `beside(column)`)."""
    alive = bool(job and job.alive)
    row = st.container(horizontal=True, vertical_alignment="center")  # on a phone it wraps: no column per button
    if alive and job.paused:
        row.button("Resume", icon=":material/resume:", on_click=job.resume)
    else:
        row.button("Pause", icon=":material/pause:", on_click=job.pause if job else None, disabled=not alive)
    row.button("Stop", icon=":material/stop:", on_click=job.stop if job else None, disabled=not alive or job.control.stopped)
    row.button("Reset", icon=":material/restart_alt:", on_click=reset, disabled=job is None)
    if alive and job.slow:
        row.button("Full speed", icon=":material/fast_forward:", on_click=job.hurry,
                   help="Drop the slow motion: the rest of this run goes as fast as the computer can.")
    else:
        beside(row)


def where_it_is(job: Job | None, ds: Dataset) -> None:
    """The run's line: its place in the line, its progress, and its failure in words (or how to begin)."""
    if st.session_state.get("refused") and job is None:
        k = lines.BROWSER_RUNS.k
        st.warning(f"This browser already has {k} run{'s' if k > 1 else ''} waiting or training, in its other tabs. Stop "
                   f"one there, or let it end, then press **Start** again: each browser may train {k} at once, so that "
                   "every student in the class gets a place.", icon=":material/group:")
    if job is None:
        if st.session_state.get("run_gone"):
            st.warning("The training run this tab had is gone: the server that ran it has stopped or restarted since. "
                       "Your settings are kept; press **Start** to train again.")
        st.info("Press **Start** to train. You can leave this page: the run goes on, and it is here when you come back.")
        return
    if job.dataset_key != ds.key:  # the run belongs to the data set it trained on
        st.warning(f"This run trained on **{job.dataset_title}** ({len(job.data.x_train):,} training images), and the "
                   f"sidebar now says {ds.title} ({len(ds.x_train):,} training images). Its numbers and templates below "
                   "are from the images it trained on. "
                   "Press **Reset**, then **Start**, to train on the data in use, or switch the sidebar back.")
    snap = job.snapshot()
    if snap.queue_position:
        where = "the GPU" if job.device.startswith("cuda") else "this server"
        st.warning(f"Every training place on {where} is taken by other students' runs: you are number "
                   f"{snap.queue_position} in line, and your run starts by itself when a place frees up.")
    frac = snap.step / snap.total_steps if snap.total_steps else 0.0
    left = f" · about {snap.seconds_left:.0f} s left" if snap.seconds_left is not None else ""
    st.progress(frac, text=f"{snap.status}: step {snap.step:,} of {snap.total_steps:,} · "
                          f"{snap.images_per_second:,.0f} images/s{left}")
    if job.config.start == "uploaded":  # said wherever its result shows: here, in its post, on the class board
        st.caption("This run continued from the weights you uploaded: its accuracy is theirs and this run's "
                   "together, and the class board marks it so.")
    elif job.config.start == "lesson":
        st.caption("This run began from the lesson's model, trained on MNIST, and trains it further on these images "
                   "(fine-tuning): its accuracy is both trainings' together, and the class board marks it so.")
    if snap.status in ("diverged", "failed"):
        st.error(words.plain(snap.message))
    elif snap.status == "overshot":  # a model, with an accuracy, but its loss rose: worth a warning, not an error
        st.warning(words.plain(snap.message), icon=":material/trending_up:")
    if snap.status == "failed" and "out of memory" in snap.message:
        st.button("Train on the CPU instead", icon=":material/memory:", on_click=on_cpu)


def curves_and_templates(job: Job) -> None:
    """The run's loss and accuracy beside its ten templates: pictures while it trains, interactive charts once it ends."""
    snap = job.snapshot()
    series = live.curves(snap)
    charts_of = {"Loss": ({"train (smoothed)": series["train loss"], "valid": series["valid loss"]}, "loss (NLL)", None, 0.0),
                 # at least 20 points of accuracy tall: a wobble of 0.5% must not look like a leap
                 "Accuracy": ({"valid accuracy": series["valid accuracy"]}, "valid accuracy", (0, 1), 0.2)}
    curves_side, templates_side = st.columns([2, 3])
    if series["valid loss"][0]:
        m = templates_side.columns(2)
        m[0].metric("valid accuracy", f"{series['valid accuracy'][1][-1]:.2%}")
        m[1].metric("valid loss", f"{series['valid loss'][1][-1]:.4f}")
    for title, (named, y_title, bounds, span) in charts_of.items():
        said = "; ".join(sentences.curve(name, *line, as_percent=title == "Accuracy") for name, line in named.items())
        if job.alive:  # a picture while it trains: a Plotly redraw cost the browser more than the rest of a poll
            curves_side.image(live_pictures.curves_svg(named, title=title, y_title=y_title, y_bounds=bounds, min_span=span,
                                                  width=480, height=210), width="stretch", alt=f"{title} chart: {said}")
        else:  # the ended run: hover for the numbers, drag to zoom
            curves_side.plotly_chart(figures.run_curves(named, title=title, y_title=y_title, y_bounds=bounds,
                                                        min_span=span, height=210), key=f"{title}_chart")
        curves_side.caption(said[0].upper() + said[1:] + ".")  # the chart in words, for everyone
    if snap.weights is not None:
        titles = list(job.dataset_classes) if job.config.model != "mlp" else snap.weight_titles
        if job.alive:  # a picture while it trains: a heatmap per poll slowed training (bench/browser_bench.py)
            plots.picture(templates_side, live_pictures.weights_png(snap.weights, titles, zoom=5),
                           alt=sentences.templates(snap.weights, titles),
                           caption="Weights now: blue counts for the class, red against; "
                                   "each template on its own scale (±its largest weight)")
        else:
            templates_side.plotly_chart(figures.weight_grid(snap.weights, titles), key="weights_chart",
                                        config={"displayModeBar": False})  # its buttons sat on the captions
            with templates_side.expander("The templates in words"):
                st.markdown("\n".join(f"- {words.plain(sentences.template(w, t))}" for w, t in zip(snap.weights, titles)))


def cheap_for_the_browser(running: bool) -> None:
    """Load plotly.js now, hidden, and drop fades while a run polls (the first chart would otherwise be the ended
    run's: its final redraw after Stop cost 2.2-2.6 s of CPU instead of 0.5-0.8 s, in every page of a class
    that stopped together)."""
    plots.preload()
    if running:
        looks.still()


def show(job: Job | None, ds: Dataset, start: Callable, reset: Callable, beside: Callable) -> None:
    """The live view of this session's run: two polled fragments, slower (up to 5x) when the server is busy.

    Each redraw costs the student's browser tens of milliseconds and the server a few, so the more runs share
    this server's cores, the less often each page redraws. Pause and Stop sit in the polled progress fragment,
    so a press reruns it at once and the line says "paused" with it (max 0.24 s in a class of 10). Start sits
    outside: its press reruns the whole page directly, where pressing it in the fragment had to ask for that
    with st.rerun() from a fragment run."""
    running = bool(job and job.alive)
    slower = live.redraw_slowdown()  # read on every full run; a fragment reruns the page when it changes
    st.session_state.pop("pace_since", None)  # when this page first saw the load ask for another pace
    cheap_for_the_browser(running)

    @fragments.fragment(run_every=0.5 * slower if running else None)
    def progress() -> None:
        """Every half second, the cheap part: the buttons, where the run is, and its words when it fails."""
        if st.session_state.get("job") is not job:
            st.rerun()  # a run started or was reset since this page's last full run: the whole page changes
        buttons(job, reset, beside)
        where_it_is(job, ds)
        if job is not None and job.alive != running:  # it ended: the rest of the page follows (charts, downloads)
            st.rerun()
        if running and job.snapshot().status == "running" and pace_changed(slower):
            st.rerun()  # the server's load changed the pace of the fragments

    @fragments.fragment(run_every=2.0 * slower if running else None)
    def charts() -> None:
        """Every two seconds, the costly part: curves and templates. Redrawing charts is most of what a poll costs
        the browser (bench/class_bench.py), and they change slowly to the eye."""
        if job is not None:
            curves_and_templates(job)

    with st.container(horizontal=True):
        st.button("Start", icon=":material/play_arrow:", on_click=start, disabled=running, type="primary")
        progress()
    charts()
