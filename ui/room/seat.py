"""A student's side of a class room, in the sidebar of every page: joining by name, the teacher's task with
"Use these settings", and what became of this session's finished runs on the board."""

import secrets

import streamlit as st

from mnistcore import choices
from mnistcore.classroom import posting
from mnistcore.classroom.store import MAX_NAME, RoomError, Seat, StoreDown, clean_code, clean_name
from mnistcore.serving.jobs import Job
from mnistcore.tutor import questions
from ui.course import quiz
from ui.room import rooms
from ui.show import fragments, words
from ui.state import browsers, registry, reloads, settings

POLL = 2.0  # seconds: a pushed task is on every student's page within this and a rerun (3 s asked, 20 students: bench --room)
TASK_KEYS = ("data", "size", "seed", *choices.BY_KEY)  # a task's settings, keyed as in a link (choices.py)
POSTED = {"posted": "Your last run is on the class board.",
          "waiting": "Your last run waits on this server for the class database, and is posted when it is back."}


def box() -> None:
    """The room box: this session's room in the sidebar, polled, or a join form atop the page when the address names
    a room."""
    if to := st.session_state.pop("to_page", None):  # "Use these settings" or "Draw our digits", in the room's box
        st.switch_page(to)
    code = clean_code(st.query_params.get("room", ""))
    seat = rooms.seat() or (_found_again(code) if code else None)
    if seat is not None:
        st.query_params["room"] = seat.code  # the address keeps naming the room, for a reload
        if st.session_state.pop("seat_joined", False):  # said on the page: a phone's menu, where the box is, is folded
            st.toast(f"You are in room {seat.code} as {words.plain(seat.name)}. Your teacher's task shows in your room "
                     "box, in the menu (» at the top left on a phone).", icon=":material/login:")
        with st.sidebar:
            _room(seat)
        return
    if code:  # on the page itself, above its title: a phone's sidebar starts folded, and its join box went unseen
        _join(code)


def _found_again(code: str) -> Seat | None:
    """The seat this browser already holds in room `code`, from the class's database: after a reload, in a new tab,
    on another server after a restart. Asked once per session and room."""
    if st.session_state.get("seat_looked") == code:
        return None
    st.session_state["seat_looked"] = code
    try:
        seat = rooms.store().seat_of(code, browsers.browser_id())
    except StoreDown:
        return None  # the join form says so when it is used
    if seat is not None:
        _sit(seat)
        st.toast(f"Welcome back, {words.plain(seat.name)}: your seat in room {seat.code}.", icon=":material/login:")
    return seat


def _sit(seat: Seat) -> None:
    """Make `seat` this session's."""
    st.session_state["seat"] = seat
    reloads.remember()


def run_seed(seed: int) -> int:
    """The seed of a run this session starts: in a room, each student's own (the seat's number) unless the student
    chose one or the task pinned one, so a class's runs of the same settings differ as real runs do. The pages' own
    model (the lesson's, trained once per server and seed) keeps the sidebar's seed."""
    seat = rooms.seat()
    if seat is None or st.session_state.get("seed_pinned") or seed != registry.entry("seed").default:
        return seed
    return seat.member


def _join(code: str) -> None:
    """Ask for a display name, then take a seat in room `code`; or take one's own seat with a rejoin code."""
    with st.container(border=True, key="join_box"):
        st.markdown(f"**Class room {code}**")  # letters and digits only, after clean_code
        name = st.text_input("Your name on the class board", max_chars=5 * MAX_NAME, key="seat_name",  # longer: said in words
                             placeholder="a first name or a nickname",
                             help="No account: the name is only shown on your class's board, and the room's data is "
                                  "deleted when the teacher ends it.")
        if st.button("Join the class", key="seat_join", icon=":material/login:", type="primary"):
            _take_seat(code, name)
        with st.expander("Joined already, on another device?"):
            rejoin = st.text_input("Your rejoin code", max_chars=12, key="seat_rejoin",
                                   help="Your room box on the other device shows it under 'Use another device'.")
            if st.button("Take my seat here", key="seat_take"):
                _take_seat(code, name, rejoin)


def _take_seat(code: str, name: str, rejoin: str = "") -> None:
    """Join room `code` as `name` (or take `name`'s seat with its rejoin code), or say in words why not (a wrong code
    counts as a guess)."""
    if len(name) > MAX_NAME:  # a pasted name: the box keeps it whole, so say why it is refused
        st.warning(f"A name has at most {MAX_NAME} characters; this one has {len(name)}.")
        return
    browser = browsers.browser_id()
    try:
        store = rooms.store()
        room = rooms.find(store, code, advice="Check it with your teacher. ")
        if room is None:
            return
        if rejoin:
            seat = store.rejoin(room.code, name, rejoin, browser)
        else:
            seat = store.seat_of(room.code, browser)
            if seat is None:
                member, secret = store.join(room.code, name, browser=browser)
                seat = Seat(room.code, member, secret, clean_name(name), "")
    except RoomError as e:
        if rejoin:
            rooms.GUESSES.failed(rooms.client())  # a rejoin code is a secret: wrong ones count as guesses
        st.warning(words.plain(e))
        return
    except StoreDown as e:
        rooms.down(e)
        return
    _sit(seat)
    st.session_state["seat_joined"] = True
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
    st.session_state["seed_pinned"] = "seed" in task_settings  # the task's one seed for everyone
    st.session_state["to_page"] = "app_pages/live_training.py"


def task_words(task_settings: dict) -> str:
    """A task's settings in one line: the run's choices, then the images, and a seed pinned for everyone."""
    size = {"sample": "quick sample", "full": "all of MNIST"}.get(task_settings.get("size"), "")
    seed = f"seed {task_settings['seed']} for everyone" if "seed" in task_settings else ""
    return " · ".join(p for p in (choices.summary(choices.read(task_settings)), size, seed) if p)


@fragments.fragment(run_every=POLL)
def _room(seat: Seat) -> None:
    """Every few seconds: the room's task, this session's progress sent, and waiting posts sent again."""
    if rooms.seat() is not seat:  # left (a press in here reruns only this, with the seat of the last full run)
        st.rerun()
    if st.session_state.get("to_page"):
        # the switch is made by a full run (box): from this fragment's own run, a student's training page came up
        # blank now and then (2 of the last 5 full test runs, the HAProxy class test), a fragment racing a page change
        st.rerun()
    with st.container(border=True, key="seat_box"):
        st.markdown(f"**Class room {seat.code}** · you are **{words.plain(seat.name)}**")
        try:
            store = rooms.store()
            if not store.seated(seat.code, seat.member, seat.secret, browsers.browser_id()):
                gone = ("Your teacher took you out of this class room." if store.room(seat.code) else
                        "This class room has closed: your teacher ended it, or its time ran out.")
                st.info(f"{gone} Your own work here is all still yours.")
                st.button("Leave the room", on_click=_leave, key="seat_leave")
                return
            room = store.room(seat.code)
            st.session_state["seat_last_task"] = room.task if room else None
            st.session_state["seat_collect"] = room.collect if room else None
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
        if collect := st.session_state.get("seat_collect"):
            st.markdown(f"**Our class's digits:** your teacher asks you to draw {collect} of each digit.")
            st.button("Draw our digits", on_click=st.session_state.__setitem__, key="seat_draw",
                      args=("to_page", "app_pages/own_digits.py"),
                      icon=":material/draw:", help="Opens the pad that asks for one digit at a time.")
        job = st.session_state.get("job")
        state = rooms.OUTBOX.state(getattr(job, "board_uid", ""))
        if state:
            st.caption(words.plain(POSTED.get(state, state)))
        with st.popover("Use another device", icon=":material/devices:"):
            st.caption("On the other device, open the class link and type your name with this code under "
                       "'Joined already, on another device?'. Each new code replaces the last.")
            if st.button("Show a rejoin code", key="seat_code"):
                try:
                    st.code(rooms.store().rejoin_code(seat.code, seat.member), language=None)
                except StoreDown:
                    st.caption(rooms.DOWN)
        st.button("Leave the room", on_click=_leave, key="seat_leave", type="tertiary")


def _send_progress(store, seat: Seat) -> None:
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
