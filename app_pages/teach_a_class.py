"""Teach a class: open a room, push a task to every student, and look after the class board."""

import time

import streamlit as st

from mnistcore import choices
from mnistcore.classroom import board
from mnistcore.classroom.qr import qr_png
from mnistcore.classroom.store import RoomError, StoreDown, clean_code
from ui.room import collecting, projector, rooms, seat, taken_off, teaching
from ui.run import choice_widgets
from ui.show import fragments, looks, plots, words
from ui.state import browsers

st.title("Teach a class")
projector.toggle()
st.markdown("Open a **room** for your class. Students open its link (or scan its code) and pick a name: no accounts. "
            "A **task** you push shows in every student's sidebar within seconds, with a button that sets their "
            "training page to its settings. Every run they finish lands on the **class board**, for the projector.")


def open_room() -> None:
    """The form that makes a new room (behind the teacher password on a hosted server)."""
    if not rooms.may_make_rooms():
        st.info(rooms.why_no_rooms(), icon=":material/lock:")
        return
    with st.form("open_room", border=True):
        st.subheader("Open a room")
        typed = (st.text_input("Teacher password", type="password", max_chars=200,
                               help="Set by whoever runs this server, so that students cannot open rooms.")
                 if rooms.password_set() else "")
        st.caption(f"A room stays open for {rooms.LIMITS.hours:g} hours, or until you end it; ending it deletes its "
                   "names and runs.")
        if not st.form_submit_button("Open a room", type="primary", icon=":material/meeting_room:"):
            return
    if wait := rooms.wait_words():
        st.warning(wait)
        return
    if not rooms.password_ok(typed):
        st.warning("That is not the teacher password.")
        return
    try:
        code, secret = rooms.store().create_room(browser=browsers.browser_id())
    except RoomError as e:
        st.warning(words.plain(e))
        return
    except StoreDown as e:
        rooms.down(e)
        return
    st.session_state["teaching"] = rooms.Teacher(code, secret)
    st.rerun()


def join_by_code() -> None:
    """For a student who was told a code: go to the room's join box."""
    with st.form("join_code", border=True):
        st.subheader("Joining as a student?")
        typed = st.text_input("Room code", max_chars=12, placeholder="e.g. K7QMPX")
        if not st.form_submit_button("Go to the room", icon=":material/login:"):
            return
    st.query_params["room"] = clean_code(typed)
    st.rerun()  # the sidebar's join box takes it from here (and counts a wrong code)


def links(code: str, secret: str) -> None:
    """The code, the student link with its QR code, the board and the teacher's own link."""
    base = rooms.base_url()
    student, board_link, teacher = f"{base}?room={code}", f"{base}board?class={code}", f"{base}teach?room={code}&key={secret}"
    left, right = st.columns([1, 2])
    plots.picture(left, qr_png(student), width=240, caption="Scan to join", alt=f"QR code of the student link {student}")
    right.markdown(f"Room code\n# {' '.join(code)}")
    right.markdown("Students open this link, or scan the code:")
    right.code(student, language=None, wrap_lines=True)
    right.link_button("Open the class board", board_link, icon=":material/leaderboard:", type="primary")
    if secret:  # shown in the tab that opened the room; a tab found again by its browser has no secret to show
        right.warning("**Keep your teacher link** before class (copy it with the button at its right): it opens this "
                      "panel on any device for as long as the room is open. This browser finds the room again by "
                      "itself, after a reload or a server's restart.", icon=":material/key:")
        right.code(teacher, language=None, wrap_lines=True)


def task_form(code: str, task: dict | None) -> None:
    """Write a task and push it; replace or clear the current one."""
    st.subheader("The task")
    if task:
        st.markdown(f"**Every student sees now:** {words.plain(task['text'])}")
    with st.form("task_form", border=True):
        text = st.text_area("Instruction", max_chars=300, placeholder="SGD, lr 1, 2 epochs: what happens to the loss?")
        size = st.radio("Images", ["sample", "full"], horizontal=True,
                         format_func={"sample": "quick sample", "full": "all of MNIST"}.get,
                         help="The quick sample trains in seconds: good for a class trying many settings.")
        c = st.columns([3, 2, 3, 2]) + st.columns(4)  # the model's name is the longest
        # Full speed by default: a class trying settings wants results; slow motion is for watching one run.
        chosen = {choice.key: choice_widgets.widget(where, choice, initial="full" if choice is choices.PACE else None)
                  for where, choice in zip(c, choices.RUN)}
        pinned = st.checkbox("One seed for everyone (identical settings then give identical runs)",
                             help="By default each student trains with a seed of their own, so a class's runs of the same "
                                  "settings differ as real runs do, and the board pools different models' mistakes.")
        pushed = st.form_submit_button("Push to every student", type="primary", icon=":material/campaign:")
    cleared = st.button("Clear the task", disabled=not task, icon=":material/clear:")
    try:
        if pushed:
            rooms.store().set_task(code, text, {"data": "mnist", "size": size, **chosen, **({"seed": 0} if pinned else {})})
            st.rerun()
        if cleared:
            rooms.store().set_task(code, None)
            st.rerun()
    except RoomError as e:
        st.warning(words.plain(e))


@fragments.fragment(run_every=seat.POLL)
def manage(code: str) -> None:
    """The students and runs of the room, following the class by itself (every few seconds, as a student's box does):
    hide a name, take a student out, remove a run."""
    try:
        store = rooms.store()
        members, runs = store.members(code), store.runs(code)
    except StoreDown as e:  # polled: the class goes on, and the next look tries again
        rooms.down(e)
        return
    st.subheader(f"Students ({len(members)}) and runs ({len(runs)})")
    if not members:
        st.caption("No student has joined yet.")
        return
    looks.table([{"name": m.name, "on the board as": r["name"], "runs": r["runs"],  # the teacher sees every real name
                  "best valid accuracy": board.percent(r["best valid accuracy"]), "self-check": r["self-check"]}
                 for m, r in zip(members, board.students(runs, members))])
    c = st.columns(2)
    who = c[0].selectbox("Student", members, format_func=lambda m: m.name + (" (hidden)" if m.hidden else ""))
    if c[0].button("Show the name again" if who.hidden else "Hide the name on the board", icon=":material/visibility_off:"):
        store.hide(code, who.id, not who.hidden)
        st.rerun(scope="fragment")
    with c[0].popover(f"Take {who.name} out of the room", icon=":material/person_remove:"):
        st.caption("Their seat and their runs leave the board. They can join again as a new student.")
        if st.button(f"Take {who.name} out", key="remove_student", type="primary"):
            store.remove(code, who.id)
            st.rerun(scope="fragment")
    rows = board.table(runs, members)
    if rows:
        run = c[1].selectbox("Run", rows, key="run_pick", format_func=lambda r: f"#{r['run']} {r['name']}: "
                                                                               f"{r['optimizer']} lr {r['lr']:g}, {r['status']}")
        c[1].button("Remove this run from the board", icon=":material/delete:", on_click=taken_off.remove,
                    args=(store, code, rows, rows.index(run)))
    taken_off.undo(store, code)


def end_room(code: str) -> None:
    """End the room: its names and runs are deleted."""
    with st.expander("When the class is over"):  # not the button's own words: one label, one element
        sure = st.checkbox("Delete this room's names and runs now")
        if st.button("End the room", disabled=not sure, icon=":material/door_front:"):
            rooms.store().end_room(code)
            st.session_state.pop("teaching", None)
            st.rerun()


teaching.claim_from_link()
mine = rooms.teacher() or teaching.found_again()
if mine is None:
    open_room()
    join_by_code()
else:
    try:
        room = rooms.store().room(mine.code)
        if room is None:
            st.info("Your room has closed: it was ended, or its time ran out, and its data is gone.")
            if st.button("Open a new room", type="primary"):
                st.session_state.pop("teaching", None)
                st.rerun()
        else:
            st.caption(f"Room open until {time.strftime('%H:%M', time.localtime(room.expires))} (server time).")
            links(room.code, mine.secret)
            task_form(room.code, room.task)
            manage(room.code)
            collecting.ask(room)
            collecting.follow(room.code)
            end_room(room.code)
    except StoreDown as e:
        rooms.down(e)
        st.button("Try again", icon=":material/refresh:")
