"""A student's side of a class room, in the sidebar of every page: joining by name, the teacher's task with
"Use these settings", and what became of this session's finished runs on the board."""

import secrets

import streamlit as st

from mnistcore import choices
from mnistcore.classroom import posting
from mnistcore.classroom.store import MAX_NAME, RoomError, StoreDown, clean_code, clean_name
from mnistcore.serving.jobs import Job
from mnistcore.tutor import questions
from ui.course import quiz
from ui.room import rooms
from ui.show import fragments, words
from ui.state import reloads, settings

POLL = 3.0  # seconds: a pushed task shows on every student's page within this (the issue asks for 5)
TASK_KEYS = ("data", "size", *choices.BY_KEY)  # a task's settings, keyed as in a link (choices.py)
POSTED = {"posted": "Your last run is on the class board.",
          "waiting": "Your last run waits on this server for the class database, and is posted when it is back."}


def box() -> None:
    """The sidebar's room box: this session's room, polled, or the join form when the address names a room."""
    if st.session_state.pop("to_training", False):  # "Use these settings" was pressed in the room's box
        st.switch_page("app_pages/live_training.py")
    seat = rooms.seat()
    if seat is not None:
        st.query_params["room"] = seat.code  # the address keeps naming the room, for a reload
        _room(seat)
        return
    code = clean_code(st.query_params.get("room", ""))
    if code:
        _join(code)


def _join(code: str) -> None:
    """Ask for a display name, then take a seat in room `code`."""
    with st.container(border=True):
        st.markdown(f"**Class room {code}**")  # letters and digits only, after clean_code
        name = st.text_input("Your name on the class board", max_chars=MAX_NAME, key="seat_name",
                             placeholder="a first name or a nickname",
                             help="No account: the name is only shown on your class's board, and the room's data is "
                                  "deleted when the teacher ends it.")
        if st.button("Join the class", key="seat_join", icon=":material/login:"):
            _take_seat(code, name)


def _take_seat(code: str, name: str) -> None:
    """Join room `code` as `name`, or say in words why not (a wrong code counts as a guess)."""
    try:
        store = rooms.store()
        room = rooms.find(store, code, advice="Check it with your teacher. ")
        if room is None:
            return
        member, secret = store.join(room.code, name)
    except RoomError as e:
        st.warning(words.plain(e))
        return
    except StoreDown as e:
        rooms.down(e)
        return
    st.session_state["seat"] = rooms.Seat(room.code, member, secret, clean_name(name))
    reloads.remember()
    st.rerun()


def _leave() -> None:
    """Leave the room on this tab (the board keeps what was posted)."""
    st.session_state.pop("seat", None)
    st.query_params.pop("room", None)


def _use(task_settings: dict) -> None:
    """Take the task's settings (each is checked by its page's parser when the page next runs) and go train."""
    for key in TASK_KEYS:
        if key in task_settings:
            settings.put(key, task_settings[key])
    st.session_state["to_training"] = True


def task_words(task_settings: dict) -> str:
    """A task's settings in one line: the run's choices, then the images."""
    size = {"sample": "quick sample", "full": "all of MNIST"}.get(task_settings.get("size"), "")
    return " · ".join(p for p in (choices.summary(choices.read(task_settings)), size) if p)


@fragments.fragment(run_every=POLL)
def _room(seat: rooms.Seat) -> None:
    """Every few seconds: the room's task, this session's progress sent, and waiting posts sent again."""
    if rooms.seat() is not seat:  # left (a press in here reruns only this, with the seat of the last full run)
        st.rerun()
    if st.session_state.get("to_training"):
        # the switch is made by a full run (box): from this fragment's own run, a student's training page came up
        # blank now and then (2 of the last 5 full test runs, the HAProxy class test), a fragment racing a page change
        st.rerun()
    with st.container(border=True, key="seat_box"):
        st.markdown(f"**Class room {seat.code}** · you are **{words.plain(seat.name)}**")
        try:
            store = rooms.store()
            if not store.seated(seat.code, seat.member, seat.secret):
                st.info("This class room has closed: your teacher ended it, or its time ran out. Your own work here is "
                        "all still yours.")
                st.button("Leave the room", on_click=_leave, key="seat_leave")
                return
            room = store.room(seat.code)
            st.session_state["seat_last_task"] = room.task if room else None
            rooms.OUTBOX.flush(store)
            _send_progress(store, seat)
        except StoreDown:
            st.caption(rooms.DOWN)  # and the task as last seen: the class goes on
        task = st.session_state.get("seat_last_task")
        if task:
            if st.session_state.get("seat_task") != task["set"]:
                if "seat_task" in st.session_state:
                    st.toast("Your teacher set a new task.", icon=":material/campaign:")
                st.session_state["seat_task"] = task["set"]
            st.markdown(f"**Task:** {words.plain(task['text'])}")
            if task["settings"]:
                st.caption(words.plain(task_words(task["settings"])))
                st.button("Use these settings", on_click=_use, args=(task["settings"],), key="seat_use",
                          icon=":material/tune:", help="Sets the training page to the task's settings and opens it.")
        else:
            st.caption("No task yet: your teacher's next one shows here.")
        job = st.session_state.get("job")
        state = rooms.OUTBOX.state(getattr(job, "board_uid", ""))
        if state:
            st.caption(words.plain(POSTED.get(state, state)))
        st.button("Leave the room", on_click=_leave, key="seat_leave", type="tertiary")


def _send_progress(store, seat: rooms.Seat) -> None:
    """Tell the board how many self-check questions this session has answered right, when that changed."""
    answered = sum(r.right for r in quiz.records().values())
    if st.session_state.get("seat_sent") != (seat.code, answered):
        store.set_progress(seat.code, seat.member, answered, questions.total())
        st.session_state["seat_sent"] = (seat.code, answered)


def post_when_finished(job: Job) -> None:
    """If this session sits in a room, post `job` to its board once it finishes (from the job's own thread, so the
    row appears whatever page the student is on)."""
    seat = rooms.seat()
    if seat is None:
        return
    job.board_uid = secrets.token_hex(8)

    def post(done: Job) -> None:
        """Post the finished run, or keep it until the database is back."""
        made = posting.post_of(done.result, done.data.x_valid, done.data.y_valid, seat.code, seat.member,
                               done.board_uid, done.dataset_key)
        rooms.OUTBOX.send(rooms.store_or_none(), made)

    job.when_finished(post)
