"""The teacher's side of "Collect our digits": ask every student for drawings, follow the counts, take a drawing out."""

import numpy as np
import streamlit as st

from mnistcore.classroom.store import MAX_COLLECT, Room, RoomError, StoreDown
from ui.room import rooms
from ui.show import fragments, looks, words

RECENT = 12  # drawings shown to the teacher, newest first, each with its number to take it out
FOLLOW = 1.0  # seconds between looks at the counts: a drawing is on the teacher's page within 2 s of its Send
# (bench --class 20 --draw); one small query, on the teacher's page alone


def ask(room: Room) -> None:
    """Start collecting (how many of each digit per student), or stop."""
    st.subheader("Our class's digits")
    st.caption("Every student draws digits on a pad (mouse, pen or finger); together they become **Our class's "
               "digits**, a data set in the class's sidebars, and the board shows what the lesson's model makes of "
               "them. Drawings carry a seat, never a name, and go when the room ends.")
    try:
        if room.collect:
            st.markdown(f"**Collecting:** {room.collect} of each digit from every student ({10 * room.collect} each).")
            if st.button("Stop collecting", icon=":material/stop_circle:", key="collect_stop"):
                rooms.store().set_collect(room.code, None)
                st.rerun()
            return
        c = st.columns([2, 3], vertical_alignment="bottom")
        per = c[0].number_input("Drawings of each digit per student", 1, MAX_COLLECT, 2, key="collect_per")
        if c[1].button("Collect our digits", type="primary", icon=":material/draw:", key="collect_start"):
            rooms.store().set_collect(room.code, int(per))
            st.rerun()
    except RoomError as e:
        st.warning(words.plain(e))
    except StoreDown as e:
        rooms.down(e)


@fragments.fragment(run_every=FOLLOW)
def follow(code: str) -> None:
    """The drawings as they come (every second): counts per digit and per student, the newest ones, and a drawing
    taken out. The drawings themselves are read again only when their counts changed."""
    try:
        store = rooms.store()
        tally, members = store.drawing_counts(code), store.members(code)
        seen = st.session_state.get("drawings_seen")
        if seen is None or seen[0] != (code, tally):
            seen = ((code, tally), store.drawings(code) if tally.total else (None, None, None, []))
            st.session_state["drawings_seen"] = seen
        images, labels, who, ids = seen[1]
    except StoreDown as e:
        rooms.down(e)
        return
    if not tally.total:
        st.caption("No drawing yet.")
        return
    looks.table([{"digit": str(d), "drawings": n} for d, n in enumerate(tally.by_digit)] +
                [{"digit": "all", "drawings": tally.total}])
    names = {m.id: m.name for m in members}
    looks.table([{"student": names.get(m, "?"), "drawn": sum(c), "fewest of a digit": min(c)}
                 for m, c in tally.by_member.items()])
    newest = np.arange(len(ids))[::-1][:RECENT]  # indices, newest first
    cols = st.columns(6)
    for k, i in enumerate(newest):
        cols[k % 6].image(images[i], caption=f"#{ids[i]}: a {labels[i]} by {words.plain(names.get(who[i], '?'))}",
                          width=84, clamp=True)
    c = st.columns([2, 3], vertical_alignment="bottom")
    pick = c[0].selectbox("Drawing", [int(ids[i]) for i in newest], format_func=lambda n: f"#{n}", key="drawing_pick")
    c[1].button("Take this drawing out", icon=":material/delete:", key="drawing_remove", on_click=store.remove_drawing,
                args=(code, pick), help="A scribble, or something rude: it leaves the class's digits at once.")
