"""The class board, for the projector: every student's finished runs side by side, redrawn when one lands."""

import numpy as np
import streamlit as st

from mnistcore import figures
from mnistcore.classroom import board
from mnistcore.classroom.store import Arrays, StoreDown, clean_code
from mnistcore.data import Dataset, resolve
from mnistcore.errors import DataError
from mnistcore.figures.live_pictures import strip_png
from ui.room import projector, rooms
from ui.sections import class_handwriting
from ui.show import fragments, looks, plots, words
from ui.state import settings, shared_data

GALLERY = 24

st.title("Class board")
big = projector.toggle()


@st.cache_data(max_entries=8, show_spinner=False)
def arrays_of(code: str, runs: tuple[int, ...]) -> dict[int, Arrays]:
    """The templates and mistakes of the class's latest runs, in one query (a posted run never changes, so once per
    set of runs; a new run brings a new set)."""
    return rooms.store().arrays(code, list(runs))


@st.cache_data(max_entries=2000, show_spinner=False)
def strip_of(code: str, run: int, _templates: np.ndarray) -> bytes:
    """One run's ten templates as a strip (once per run and server)."""
    return strip_png(_templates)


def dataset_for(key: str) -> Dataset | None:
    """The data set with `key`, if this server has it (the mistakes are indices into it)."""
    name = key.split("|")[0]
    for source in ("sample", "auto"):
        try:
            ds = shared_data.cached_dataset(name, resolve(name, source))
        except (DataError, KeyError):
            continue
        if ds.key == key:
            return ds
    return None


def which_room() -> str:
    """The room this board shows: from its link, else the one this session teaches or sits in, else a typed code."""
    code = clean_code(st.query_params.get("class", ""))
    held = rooms.teacher() or rooms.seat()
    if not code and held is not None:
        code = held.code
    if code:
        return code
    with st.form("board_code"):
        typed = st.text_input("Room code", max_chars=12, placeholder="e.g. K7QMPX")
        if st.form_submit_button("Show the board", type="primary"):
            st.query_params["class"] = clean_code(typed)
            st.rerun()
    st.stop()


def look(code: str, drawn: int | None) -> None:
    """One small query: the room's version. A change redraws the board; a database that is
    away is said in words, and the board comes back by itself when it is reachable again."""
    try:
        room = rooms.store().room(code)
    except StoreDown as e:
        print(f"class store: {e}", flush=True)
        st.warning("The class database cannot be reached just now. This board shows what it had when it was last "
                   "reachable, and updates by itself when the database is back.", icon=":material/cloud_off:")
        st.session_state["board_down"] = True
        return
    if (room.version if room else -1) != drawn or st.session_state.pop("board_down", False):
        st.rerun()
    st.caption("Updates by itself within seconds of a change.")


@fragments.fragment(run_every=board.REFRESH)
def watch(code: str, drawn: int | None) -> None:
    """`look` every second."""
    look(code, drawn)


@fragments.fragment(run_every=board.REFRESH_DRAWING)
def watch_drawing(code: str, drawn: int | None) -> None:
    """`look` twice as often while the class draws its digits: each drawing on the board's section within 3 s."""
    look(code, drawn)


def gallery(mistakes: list[board.Mistake], ds: Dataset) -> None:
    """The validation digits most of the class's models got wrong."""
    cols = st.columns(8)
    for i, m in enumerate(mistakes):
        truth, said = ds.classes[int(ds.y_valid[m.index])], ds.classes[m.said]
        cols[i % 8].image(ds.x_valid[m.index], width=84, caption=f"{words.plain(truth)} → {words.plain(said)} · "
                                                                   f"{m.wrong_in} of {m.of}",
                          alt=f"A {truth} that {m.wrong_in} of {m.of} models got wrong; most said {said}")


def runs_table(where, rows: list[dict]) -> None:
    """The class's runs as a table of text, newest or best first, a projector's screenful of them.

    Text, not a data grid: the grid took a new browser about 2 s to draw, and its cells were pictures to a screen
    reader. Four columns, the settings in one: nine ran off a phone's edge, and under the scatter beside it."""
    where.subheader("Every run")
    order = where.radio("Order", board.ORDERS, horizontal=True, label_visibility="collapsed",
                        **settings.keep("board_order"))
    shown = board.ordered(rows, order)[: board.SHOWN]
    looks.table([{"name": r["name"], "settings": board.settings_text(r), "valid accuracy": board.outcome(r),
                  "seconds": board.seconds_text(r["seconds"])} for r in shown], where)
    if len(rows) > len(shown):
        where.caption(f"The {order.split()[0]} {len(shown)} of {len(rows)} runs.")


def show(code: str) -> None:
    """The whole board of room `code`."""
    try:
        store = rooms.store()
        room = rooms.find(store, code)  # the board names the class: a guessed code is throttled here too
        if room is None:
            return
        members, runs = store.members(code), store.runs(code)
    except StoreDown:
        watch(code, None)
        return
    st.query_params["class"] = code
    (watch_drawing if room.collect else watch)(code, room.version)
    if room.task:
        st.markdown(f"**Task:** {words.plain(room.task['text'])}")
        pinned = room.task["settings"].get("seed")
        st.caption(f"Everyone trains this task with seed {pinned}: identical settings give identical runs." if pinned is
                   not None else "Each student trains with a seed of their own: runs of the same settings differ.")
    rows = board.table(runs, members)
    finished = [r for r in rows if r["valid accuracy"] is not None and not r["uploaded"]]  # trained here, all of it
    m = st.columns(4)
    m[0].metric("room", code)
    m[1].metric("students", len(members))
    m[2].metric("runs posted", len(runs))
    m[3].metric("best valid accuracy", f"{max(r['valid accuracy'] for r in finished):.2%}" if finished else "-",
                help="Of the runs trained here from fresh weights: a run that continued from uploaded weights is marked "
                     "in the table, and left out here.")
    if not runs:  # the first run's redraw must not wait for plotly.js, on a projector shared with a class
        plots.preload()
        st.info(f"No run yet. Students join at **{rooms.base_url()}?room={code}**; each run they finish shows here.")
        return
    left, right = st.columns([3, 2])
    runs_table(left, rows)
    plots.show(right, projector.sized(figures.lr_scatter(rows), big), key="board_scatter")
    if note := board.scatter_note(rows):
        right.caption(note)
    st.subheader("Every student")
    looks.table([{**r, "best valid accuracy": board.percent(r["best valid accuracy"])} for r in board.students(runs, members)])
    names = {mem.id: board.shown_name(mem, i + 1) for i, mem in enumerate(members)}
    key = board.main_dataset(runs)
    latest = board.latest_per_student(runs, key) if key else []
    st.subheader("Everyone's ten templates")
    st.caption("Each student's latest run, 0 to 9 from left to right: blue pixels count for the digit, red against, "
               "each template on its own scale.")
    try:
        arrays = arrays_of(code, tuple(run.id for run in latest))
    except StoreDown:
        st.caption("The pictures come back by themselves when the class database is reachable again.")
        return
    cols = st.columns(2)
    for i, run in enumerate(r for r in latest if r.id in arrays):
        name = names.get(run.member, "?")
        plots.picture(cols[i % 2], strip_of(code, run.id, arrays[run.id].templates), width="stretch",
                       caption=f"**{words.plain(name)}** · {board.template_label(run)}",
                       alt=f"{name}'s ten weight templates, digits 0 to 9")
    st.subheader("The digits the class's models get wrong")
    ds = dataset_for(key) if key else None
    if ds is None:
        st.caption("These runs trained on a data set this server does not have, so their mistakes cannot be drawn here.")
        return
    pooled = board.pooled_mistakes(list(arrays.values()), len(ds.x_valid), GALLERY)
    st.caption(f"Validation images that at least half of the {len(latest)} latest models got wrong, most-missed first: "
               "true label → the wrong answer most of them gave · how many of the models missed it.")
    if pooled:
        gallery(pooled, ds)
    else:
        st.caption("None yet: the models disagree on every digit they miss.")


room_code = which_room()
show(room_code)
class_handwriting.section(room_code, big)
