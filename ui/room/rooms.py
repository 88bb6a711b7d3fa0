"""The class's one shared place, as the pages see it: the store every server process (or machine) opens,
the guard on guesses, the posts waiting for the database, and the words for when it is away.

Settings (environment): MNISTCORE_DB (a SQLite path, default the cache folder's classroom.db, or a
postgresql:// URL); MNISTCORE_TEACHER_PASSWORD (asked before a room is made; a hosted server, MNISTCORE_HOSTED=1,
makes no rooms without one); MNISTCORE_ROOM_HOURS, MNISTCORE_MAX_ROOMS, MNISTCORE_ROOM_STUDENTS,
MNISTCORE_ROOM_POSTS (the caps of mnistcore.classroom.store.Limits).
"""

import hmac
import os
import threading
from dataclasses import dataclass

import streamlit as st

from mnistcore.classroom.guard import Throttle
from mnistcore.classroom.posting import Outbox
from mnistcore.classroom.store import Limits, Room, Seat, Store, StoreBusy, StoreDown, open_store
from mnistcore.data import cache_dir
from ui.course import lesson_path
from ui.state import browsers


def _number(name: str, default: float, kind=float):
    """A positive number from the environment, or `default`."""
    try:
        value = kind(os.environ.get(name, default))
    except ValueError:
        return default
    return value if value > 0 else default


LIMITS = Limits(rooms=_number("MNISTCORE_MAX_ROOMS", 50, int), students=_number("MNISTCORE_ROOM_STUDENTS", 60, int),
                posts=_number("MNISTCORE_ROOM_POSTS", 40, int), hours=_number("MNISTCORE_ROOM_HOURS", 8.0))
GUESSES = Throttle()  # wrong room codes, teacher links, rejoin codes and passwords: per browser, address and server
OUTBOX = Outbox()  # finished runs waiting for the database
DOWN = ("The class database cannot be reached just now. Everything on your own pages goes on working; finished runs "
        "are kept on this server and posted when it is back.")
BUSY = ("The class database is busy just now: another request held it for seconds. Nothing was changed; try again in "
        "a few seconds. Everything on your own pages goes on working.")

_store: Store | None = None
_opening = threading.Lock()


@dataclass(frozen=True)
class Teacher:
    """A teacher's hold on a room."""

    code: str
    secret: str


def database_url() -> str:
    """Where the class store lives."""
    return os.environ.get("MNISTCORE_DB") or str(cache_dir() / "classroom.db")


def store() -> Store:
    """This server process's store, opened (and migrated) on first use; StoreDown while the database is away."""
    global _store
    with _opening:
        if _store is None:
            _store = open_store(database_url(), LIMITS)
        return _store


def store_or_none() -> Store | None:
    """The store, or None while the database is away."""
    try:
        return store()
    except StoreDown:
        return None


def client() -> tuple[str, str]:
    """Whom guesses are counted against: this browser (or this session where there is no cookie), and the network
    address it comes from (guard.Throttle counts both, so that a stranger elsewhere cannot lock a class out)."""
    return browsers.owner(), browsers.peer_address() or ""


def wait_words() -> str | None:
    """Words asking this browser to wait before another guess, or None when it may try now."""
    wait = GUESSES.wait(client())
    if wait <= 0:
        return None
    return f"Too many wrong codes or links were tried from here. Try again in {max(1, round(wait))} seconds."


def password_ok(typed: str) -> bool:
    """True when no teacher password is set, or `typed` is it (a wrong one counts as a guess)."""
    password = os.environ.get("MNISTCORE_TEACHER_PASSWORD", "")
    if not password:
        return True
    if hmac.compare_digest(password.encode(), str(typed).encode()):
        return True
    GUESSES.failed(client())
    return False


def find(store: Store, code: str, advice: str = "") -> Room | None:
    """The open room a typed or linked `code` names, or None after saying why in words: this browser has guessed
    too often, or no open room has that code (which counts as a guess). StoreDown passes to the caller."""
    if wait := wait_words():
        st.warning(wait)
        return None
    room = store.room(code)
    if room is None:
        GUESSES.failed(client())
        st.warning(f"No open class room has the code {code}. {advice}A room closes when its teacher ends it, or after "
                   f"{LIMITS.hours:g} hours.")
    return room


def password_set() -> bool:
    """True when this server asks for a teacher password before it makes a room."""
    return bool(os.environ.get("MNISTCORE_TEACHER_PASSWORD"))


def hosted() -> bool:
    """True on a hosted server (MNISTCORE_HOSTED=1: serve.py and the manifests set it)."""
    return os.environ.get("MNISTCORE_HOSTED") == "1"


def may_make_rooms() -> bool:
    """True behind the teacher password; without one, only on a laptop and only from the laptop itself: a hosted
    server, or a laptop's app reached over the classroom's network, would let any student fill it with rooms."""
    return password_set() or (not hosted() and browsers.from_this_machine())


def why_no_rooms() -> str:
    """Words for someone who may not open a room here, saying who may and how."""
    if hosted():
        return ("Rooms are off on this server until its operator sets a teacher password (MNISTCORE_TEACHER_PASSWORD; "
                "docs/hosting.md).")
    return ("Rooms are opened on the computer running the app: open this page there (http://localhost:8501/teach "
            "with `make run`). To open them from another device, start the app with a teacher password "
            "(MNISTCORE_TEACHER_PASSWORD=... make run). Students join from any device.")


def seat() -> Seat | None:
    """This session's seat in a room, if it joined one."""
    return st.session_state.get("seat")


def teacher() -> Teacher | None:
    """This session's room as its teacher, if it holds one."""
    return st.session_state.get("teaching")


def base_url() -> str:
    """The app's address as the browser sees it, without a page or a query."""
    url = (st.context.url or "http://localhost:8501/").split("?")[0]
    head, _, last = url.rstrip("/").rpartition("/")
    return (head if last in lesson_path.url_paths() else url.rstrip("/")) + "/"


def down(e: StoreDown) -> None:
    """Say that the database is away, or busy past its bounds, in words (the details go to the server's log, not the
    page)."""
    print(f"class store: {e}", flush=True)
    st.warning(BUSY if isinstance(e, StoreBusy) else DOWN, icon=":material/cloud_off:")

