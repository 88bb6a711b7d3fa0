"""Entry point: the navigation and the sidebar every page shares (data set, device, seed)."""

import os

# First thing in every session's script thread, before any element can import them lazily: two
# sessions that met pandas' first import inside plotly_chart at the same moment got a half-initialized
# module (issue 9). Here the thread holds no other import lock, so a second session simply waits.
import pandas  # noqa: F401
import plotly.graph_objects  # noqa: F401
import pyarrow  # noqa: F401
import streamlit as st

from mnistcore import devices
from mnistcore.data import SPECS, Dataset, fetch, resolve
from mnistcore.errors import DataError
from ui.course import lesson_path, quiz
from ui.room import class_digits, seat
from ui.show import looks, words
from ui.state import browsers, own_data, registry, reloads, server_work, session, settings, shared_data

st.set_page_config(page_title="How a network learns to read digits", page_icon="✏️", layout="wide")
looks.style()  # contrast and wrapping code: every page, read by everyone (tests/browser/test_accessibility.py)



# The folder box and the download button act on the server's own disk: a hosted server has none
# (MNISTCORE_FOLDER_BOX=0, as deploy/serve.py sets), and a laptop shows them only on its own screen, not to the
# students who reach it over the classroom's network. On a laptop it is how a teacher points the app at full MNIST.
FOLDER_BOX = os.environ.get("MNISTCORE_FOLDER_BOX", "1") != "0"


def sidebar() -> None:
    """Draw the shared settings and load the chosen data set into the session."""
    with st.sidebar:
        st.header("Settings for every page")
        own = {k: d for k, d in ((own_data.YOURS, own_data.yours()), (class_digits.CLASS, class_digits.dataset())) if d}
        if settings.value("data") not in [*SPECS, *own]:  # a link or a tab whose own images are not here (any more)
            settings.put("data", "mnist")
        name = st.radio(
            "Data set", [*SPECS, *own], format_func=lambda n: SPECS[n].title if n in SPECS else registry.OWN_DATA[n],
            horizontal=True, **settings.keep("data"),
        )
        ds = own[name] if name in own else shipped(name)
        st.session_state["dataset"] = ds
        settings.follow(ds.key)  # what belonged to the last data set goes with it (registry: per_dataset)
        server_work.prefetch(ds, session.seed())  # what the pages need, started in worker processes before a page asks
        st.caption(f"**In use:** {words.plain(ds.summary())}")
        if name == class_digits.CLASS and (counts := class_digits.waiting()):
            st.button(f"Use all {counts[1]} drawings now", on_click=class_digits.take_latest, icon=":material/refresh:",
                      help=f"These pages use the {counts[0]} drawings there were when you chose the class's digits: "
                           "they stay put while the class draws, so a page does not change under you.")
        kinds = ["auto"] + devices.available()
        choice = st.selectbox("Device", kinds, **settings.keep("device", kinds))
        st.caption(f"**Computing on:** {devices.describe(devices.pick(choice))}")
        st.number_input("Seed", 0, 2**31 - 1, step=1, help="The same seed gives the same random draws and the same training run.",
                        **settings.keep("seed"))


def shipped(name: str) -> Dataset:
    """The sidebar's part for a data set the app knows (SPECS): its size, the folder it comes from, its download; the
    data set it loads (or, when that fails, the one the session had)."""
    size = "full"
    if SPECS[name].shipped:  # MNIST ships both: the lesson's full split, and a small sample for a quick look
        size = st.radio(
            "Images", ["full", "sample"], horizontal=True, format_func=registry.SIZES.get,
            help="All of MNIST is the lesson's data: 50,000 images to train on and 10,000 to check. "
                 "The quick sample (4,000 / 1,000) trains in a second or two, with rougher templates.",
            **settings.keep("size"),
        )
    folder = ""
    own_disk = FOLDER_BOX and browsers.from_this_machine()
    if own_disk:  # never from the URL: a shared link must not point a server at its own disk
        folder = st.text_input(
            "Folder with the full data (optional)", placeholder="e.g. ~/data/mnist", max_chars=1000, key="folder",
            help="A folder on the computer running the app, holding the four IDX files "
                 "(train-images-idx3-ubyte.gz ...) or the lesson's mnist.pkl.gz. Leave empty to use what "
                 "is installed or shipped.",
        )
    if own_disk and st.button("Download the full data set",
                              help=f"Fetch {SPECS[name].title} into the cache, checksums verified."):
        bar, shown = st.progress(0.0, text="Downloading..."), [-1]

        def progress(done: int, total: int | None) -> None:
            """Move the bar once per percent, not once per 64 KB chunk."""
            percent = int(100 * done / total) if total else done >> 20
            if percent != shown[0]:
                shown[0] = percent
                bar.progress(min(done / total, 1.0) if total else 0.0, text=f"Downloading... {done / 2**20:.1f} MiB")

        try:
            fetch(name, progress)
            bar.empty()
            st.toast("Downloaded and verified.")
        except DataError as e:
            bar.empty()
            st.error(f"The download did not work, nothing was changed.\n\n{words.plain(e)}")
    try:
        source = folder.strip() or ("sample" if size == "sample" else "auto")
        ds = shared_data.cached_dataset(name, resolve(name, source))
    except DataError as e:  # keep what the session had: a typo must not cost a loaded data set
        ds = st.session_state.get("dataset") or shared_data.cached_dataset("mnist", "sample")
        st.error(words.explain(e) + f"\n\nStill using {ds.title}" +
                 (" (the shipped sample)." if ds.source.startswith("the sample") else ", as before."))
    return ds


shared_data.freeze_startup_objects()  # once per process: the imports are done, the sessions' garbage is yet to come
reloads.bring_back()  # before the sidebar: a reloaded tab gets its typed folder, run, model and room back
seat.box()  # a student's room box in the sidebar, polled, first where it is seen; a join prompt atop the page
sidebar()
page = st.navigation(lesson_path.pages())
st.set_page_config(page_title=f"{page.title} · How a network learns to read digits")  # each tab says its page
settings.publish("data", "size", "device", "seed")
with st.sidebar:
    quiz.progress_line()
    reloads.class_link()
page.run()
