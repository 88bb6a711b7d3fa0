"""The one place a class's shared state lives: rooms, tasks, students, their posted runs and drawn digits.

One set of methods over two backends (`backends`): SQLite from the standard library (a file in WAL mode,
shared by every server process on one machine) and PostgreSQL through psycopg 3 (shared by every machine).
Each call opens its own connection and transaction, so a database that went away and came back needs nothing
from the caller but another call; while it is away every call raises `StoreDown`.
"""

import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass

import numpy as np

from mnistcore.classroom import names, schema
from mnistcore.classroom.backends import StoreBusy as StoreBusy  # a StoreDown: a call waited past its bound
from mnistcore.classroom.backends import StoreDown as StoreDown  # raised by every method: callers catch it from here
from mnistcore.classroom.backends import connect

CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no I, O, 0 or 1: read off a projector, typed on a phone
CODE_LENGTH = 6  # 32**6, about a billion codes: guessing one at the throttle's pace takes years
MAX_NAME = 40
MAX_TASK_TEXT = 300
MAX_COLLECT = 10  # of each digit per student: ten of each is 100 drawings, a lesson's worth of drawing
STATUSES = ("done", "overshot", "stopped", "diverged")  # how a posted run ended (mnistcore.train)
RUN_COLUMNS = ("id", "room", "member", "uid", "posted", "status", "settings", "accuracy", "seconds", "dataset",
               "templates", "wrong", "said", "ended")  # a run's whole row, as `remove_run` hands it to `put_back`


class RoomError(Exception):
    """A request the room refuses, in words for the person who made it."""


@dataclass(frozen=True)
class Limits:
    """What one class, one student and one server may hold."""

    rooms: int = 50  # rooms open at once in this store
    students: int = 60  # per room
    posts: int = 40  # runs each student may post to a room
    hours: float = 8.0  # a room's life, from its creation


@dataclass(frozen=True)
class Room:
    """An open room: its code, when it closes, its task (or None), its version (bumped by every change) and how many
    of each digit every student is asked to draw (None while the teacher is not collecting)."""

    code: str
    expires: float
    task: dict | None
    version: int
    collect: int | None = None


@dataclass(frozen=True)
class Member:
    """A student in a room."""

    id: int
    name: str
    hidden: bool
    answered: int  # self-check questions answered right
    questions: int  # of how many


@dataclass(frozen=True)
class Seat:
    """A student's place in a room, as a session holds it: its secret ("" when the seat is proven by its browser
    instead) and, just after joining, the rejoin code that takes it to another device ("" once shown)."""

    code: str
    member: int
    secret: str
    name: str
    rejoin: str


@dataclass(frozen=True)
class Run:
    """A posted run, without its arrays."""

    id: int
    member: int
    status: str  # done, overshot, stopped or diverged
    settings: dict
    accuracy: float | None
    seconds: float
    dataset: str
    posted: float
    ended: float | None  # when the run ended on its server (None for runs posted before schema 3)


@dataclass(frozen=True)
class Tally:
    """How many digits a room's students have drawn: of each digit, and of each digit by each student."""

    by_digit: tuple[int, ...]  # (10,): how many 0s, 1s, ... 9s
    by_member: dict[int, tuple[int, ...]]  # member id -> (10,) their 0s ... 9s; only students who drew

    @property
    def total(self) -> int:
        """Every drawing in the room."""
        return sum(self.by_digit)


@dataclass(frozen=True)
class Arrays:
    """A posted run's templates and mistakes."""

    templates: np.ndarray  # (k, 784) float32
    wrong: np.ndarray  # (m,) int64 indices into the validation set
    said: np.ndarray  # (m,) what the model predicted for each


def digest(secret: str) -> str:
    """The hash a secret is kept as."""
    return hashlib.sha256(secret.encode()).hexdigest()


def clean_name(text: str) -> str:
    """A display name with its spaces collapsed; RoomError when it is empty or longer than MAX_NAME."""
    name = " ".join("".join(ch for ch in str(text) if ch.isprintable()).split())
    if not name:
        raise RoomError("Type a name first: your first name, or a nickname.")
    if len(name) > MAX_NAME:
        raise RoomError(f"A name has at most {MAX_NAME} characters; this one has {len(name)}.")
    return name


REJOIN_LENGTH = 6


def new_rejoin_code() -> str:
    """A code a student types on another device to take their seat there: six letters and digits, none that look alike."""
    return "".join(secrets.choice(CODE_LETTERS) for _ in range(REJOIN_LENGTH))


def clean_rejoin(text: str) -> str:
    """A typed rejoin code in its canonical form."""
    return "".join(ch for ch in str(text).upper() if ch.isalnum())[:REJOIN_LENGTH + 4]


def clean_code(text: str) -> str:
    """A typed room code in its canonical form (capitals, no spaces or dashes)."""
    return "".join(ch for ch in str(text).upper() if ch.isalnum())[:CODE_LENGTH + 4]


def open_store(url: str, limits: Limits = Limits()) -> "Store":
    """The store at `url` (PostgreSQL or a SQLite file: `backends.connect`), its schema brought up to date."""
    return Store(connect(url), limits)


class Store:
    """Rooms, tasks, members and runs, over one backend; every method is one transaction."""

    def __init__(self, backend, limits: Limits = Limits()):
        """Open the store and bring its schema up to date (StoreDown if the database cannot be reached)."""
        self.backend, self.limits = backend, limits
        self.migrate()

    @property
    def dialect(self) -> str:
        """"sqlite" or "postgresql"."""
        return self.backend.dialect

    def migrate(self, upto: int = schema.VERSION) -> int:
        """Apply the migrations this database lacks, up to `upto`; the version it is at now."""
        with self.backend.transaction(exclusive=True) as db:
            db.run("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            rows = db.run("SELECT version FROM schema_version")
            if not rows:
                db.run("INSERT INTO schema_version (version) VALUES (0)")
            at = rows[0][0] if rows else 0
            for version, sql in schema.statements(self.dialect, at, max(at, upto)):
                db.run(sql)
                at = version
            db.run("UPDATE schema_version SET version = ?", (at,))
        return at

    def version(self) -> int:
        """The schema version of the database."""
        with self.backend.transaction() as db:
            return db.run("SELECT version FROM schema_version")[0][0]

    # --- rooms ---

    def create_room(self, now: float | None = None, browser: str | None = None) -> tuple[str, str]:
        """A new room's code and its teacher's secret (RoomError when this store has its fill of open rooms); the
        room is `browser`'s to teach again after a reload or a server's restart (`taught_by`)."""
        now = time.time() if now is None else now
        secret = secrets.token_urlsafe(18)
        with self.backend.transaction(exclusive=True) as db:
            db.run("DELETE FROM rooms WHERE expires <= ?", (now,))
            if db.run("SELECT count(*) FROM rooms")[0][0] >= self.limits.rooms:
                raise RoomError(f"This server already has {self.limits.rooms} open rooms, its most. End a room you no "
                                "longer need on its Teach page, or wait: rooms close by themselves after "
                                f"{self.limits.hours:g} hours.")
            while True:
                code = "".join(secrets.choice(CODE_LETTERS) for _ in range(CODE_LENGTH))
                if not db.run("SELECT 1 FROM rooms WHERE code = ?", (code,)):
                    break
            db.run("INSERT INTO rooms (code, teacher_hash, created, expires, teacher_browser) VALUES (?, ?, ?, ?, ?)",
                   (code, digest(secret), now, now + self.limits.hours * 3600, browser))
        return code, secret

    def room(self, code: str, now: float | None = None) -> Room | None:
        """The open room with `code`, or None when there is none (never was, expired, or ended)."""
        now = time.time() if now is None else now
        with self.backend.transaction() as db:
            rows = db.run("SELECT code, expires, task, version, collect FROM rooms WHERE code = ? AND expires > ?",
                          (clean_code(code), now))
        if not rows:
            return None
        code, expires, task, version, collect = rows[0]
        return Room(code, expires, json.loads(task) if task else None, version, collect)

    def taught_by(self, browser: str | None, now: float | None = None) -> str | None:
        """The newest open room that `browser` opened, or None."""
        if not browser:
            return None
        now = time.time() if now is None else now
        with self.backend.transaction() as db:
            rows = db.run("SELECT code FROM rooms WHERE teacher_browser = ? AND expires > ? ORDER BY created DESC",
                          (browser, now))
        return rows[0][0] if rows else None

    def is_teacher(self, code: str, secret: str, now: float | None = None) -> bool:
        """True when `secret` is the teacher's for the open room `code`; False alike for a wrong secret and no room."""
        room = self.room(code, now)
        with self.backend.transaction() as db:
            rows = db.run("SELECT teacher_hash FROM rooms WHERE code = ?", (room.code if room else "",))
        stored = rows[0][0] if rows else digest("no room")  # the same work either way
        return hmac.compare_digest(stored, digest(str(secret))) and room is not None

    def set_task(self, code: str, text: str | None, settings: dict | None = None) -> None:
        """Give the room a task (an instruction and training settings), or clear it with `text=None`."""
        task = None
        if text is not None:
            text = " ".join(str(text).split())
            if not text:
                raise RoomError("Write the task's instruction first.")
            if len(text) > MAX_TASK_TEXT:
                raise RoomError(f"A task has at most {MAX_TASK_TEXT} characters; this one has {len(text)}.")
            task = json.dumps({"text": text, "settings": settings or {}, "set": time.time()})
        with self.backend.transaction() as db:
            db.run("UPDATE rooms SET task = ?, version = version + 1 WHERE code = ?", (task, code))

    def end_room(self, code: str) -> None:
        """Delete the room and everything in it."""
        with self.backend.transaction() as db:
            db.run("DELETE FROM rooms WHERE code = ?", (code,))

    # --- students ---

    def join(self, code: str, name: str, now: float | None = None, browser: str | None = None) -> tuple[int, str]:
        """Seat `name` in the open room `code`, for `browser` if given: the member's id and the seat's secret
        (RoomError in words). A browser has one seat in a room (`seat_of` finds it): a second is refused."""
        name = clean_name(name)
        secret = secrets.token_urlsafe(12)
        now = time.time() if now is None else now
        with self.backend.transaction(exclusive=True) as db:
            db.run("DELETE FROM rooms WHERE expires <= ?", (now,))  # expired rooms' data goes (here and on create)
            room = db.run("SELECT code FROM rooms WHERE code = ?", (code,))
            if not room:
                raise RoomError("This room has closed.")
            held = db.run("SELECT name FROM members WHERE room = ? AND browser = ?", (code, browser)) if browser else []
            if held:  # one browser, one student: reloading and joining again must not fill the room
                raise RoomError(f"This browser already has a seat in this room, as {held[0][0]}.")
            if db.run("SELECT count(*) FROM members WHERE room = ?", (code,))[0][0] >= self.limits.students:
                raise RoomError(f"This room is full: it has {self.limits.students} students, its most.")
            taken = [row[0] for row in db.run("SELECT name FROM members WHERE room = ?", (code,))]  # at most `students`
            if any(names.look_alike(name, other) for other in taken):  # "alice", "Аlice" (Cyrillic А) beside "Alice"
                raise RoomError(f"Someone in this room is already called {name}, or a name that looks the same: add an "
                                "initial, or pick another name. If it is you, on another device, use your rejoin code.")
            db.run("INSERT INTO members (room, name, seat_hash, joined, browser) VALUES (?, ?, ?, ?, ?)",
                   (code, name, digest(secret), time.time(), browser))
            member = db.run("SELECT id FROM members WHERE room = ? AND name = ?", (code, name))[0][0]
            db.run("UPDATE rooms SET version = version + 1 WHERE code = ?", (code,))
        return member, secret

    def seat_of(self, code: str, browser: str | None, now: float | None = None) -> Seat | None:
        """The seat `browser` holds in the open room `code`, or None: how any server, after any restart, finds a
        student again."""
        if not browser:
            return None
        now = time.time() if now is None else now
        with self.backend.transaction() as db:
            rows = db.run("SELECT m.id, m.name FROM members m JOIN rooms r ON r.code = m.room "
                          "WHERE m.room = ? AND m.browser = ? AND r.expires > ?", (clean_code(code), browser, now))
        return Seat(clean_code(code), rows[0][0], "", rows[0][1], "") if rows else None

    def rejoin(self, code: str, name: str, rejoin: str, browser: str | None) -> Seat:
        """Take `name`'s seat in room `code` on this browser with the student's rejoin code (RoomError in words; a
        wrong code and a wrong name read the same)."""
        name = clean_name(name)
        with self.backend.transaction(exclusive=True) as db:
            rows = db.run("SELECT id, name, rejoin_hash FROM members WHERE room = ?", (code,))
            found = [(i, n) for i, n, h in rows if names.look_alike(name, n) and h and
                     hmac.compare_digest(h, digest(clean_rejoin(rejoin)))]
            if not found:
                raise RoomError("That name and rejoin code do not match a student of this room. The code is in your "
                                "room box on the device you joined with.")
            if browser:
                db.run("UPDATE members SET browser = NULL WHERE room = ? AND browser = ?", (code, browser))
                db.run("UPDATE members SET browser = ? WHERE id = ?", (browser, found[0][0]))
        return Seat(code, found[0][0], "", found[0][1], "")

    def rejoin_code(self, code: str, member: int) -> str:
        """A fresh rejoin code for seat `member` (the old one stops working): shown in the student's room box."""
        rejoin = new_rejoin_code()
        with self.backend.transaction() as db:
            db.run("UPDATE members SET rejoin_hash = ? WHERE id = ? AND room = ?", (digest(rejoin), member, code))
        return rejoin

    def seated(self, code: str, member: int, secret: str, browser: str | None = None) -> bool:
        """True while seat `member` is still in the open room `code` (not removed, room not ended) and this session
        proves it is theirs: by the seat's secret, or by being the browser the seat belongs to."""
        with self.backend.transaction() as db:
            rows = db.run("SELECT m.seat_hash, m.browser FROM members m JOIN rooms r ON r.code = m.room "
                          "WHERE m.id = ? AND m.room = ? AND r.expires > ?", (member, code, time.time()))
        if not rows:
            return False
        by_secret = bool(secret) and hmac.compare_digest(rows[0][0], digest(str(secret)))
        return by_secret or (bool(browser) and rows[0][1] == browser)

    def remove(self, code: str, member: int) -> None:
        """The teacher takes a student out of the room, with their runs (the browser may join again, as new)."""
        with self.backend.transaction() as db:
            db.run("DELETE FROM members WHERE id = ? AND room = ?", (member, code))
            db.run("UPDATE rooms SET version = version + 1 WHERE code = ?", (code,))

    def set_progress(self, code: str, member: int, answered: int, questions: int) -> None:
        """Record how many self-check questions the student has answered right."""
        with self.backend.transaction() as db:
            changed = db.run("SELECT 1 FROM members WHERE id = ? AND room = ? AND (answered <> ? OR questions <> ?)",
                             (member, code, answered, questions))
            if changed:
                db.run("UPDATE members SET answered = ?, questions = ? WHERE id = ?", (answered, questions, member))
                db.run("UPDATE rooms SET version = version + 1 WHERE code = ?", (code,))

    def hide(self, code: str, member: int, hidden: bool = True) -> None:
        """Show a student's name on the board as "a student", or show it again."""
        with self.backend.transaction() as db:
            db.run("UPDATE members SET hidden = ? WHERE id = ? AND room = ?", (int(hidden), member, code))
            db.run("UPDATE rooms SET version = version + 1 WHERE code = ?", (code,))

    def members(self, code: str) -> list[Member]:
        """The room's students, in the order they joined."""
        with self.backend.transaction() as db:
            rows = db.run("SELECT id, name, hidden, answered, questions FROM members WHERE room = ? ORDER BY id", (code,))
        return [Member(i, n, bool(h), a, q) for i, n, h, a, q in rows]

    # --- runs ---

    def post(self, code: str, member: int, uid: str, status: str, settings: dict, accuracy: float | None,
             seconds: float, dataset: str, templates: np.ndarray, wrong: np.ndarray, said: np.ndarray,
             ended: float | None = None) -> bool:
        """Post a finished run once: True when posted now, False when `uid` was posted before (RoomError when the
        student has posted their fill, or the room has closed)."""
        if status not in STATUSES:
            raise ValueError(f"status {status!r}: only {', '.join(STATUSES)} runs are posted")
        now = time.time()
        blobs = (np.asarray(templates, np.float16).tobytes(), np.asarray(wrong, np.int32).tobytes(),
                 np.asarray(said, np.uint8).tobytes())
        try:
            with self.backend.transaction() as db:
                if db.run("SELECT 1 FROM runs WHERE room = ? AND uid = ?", (code, uid)):
                    return False
                if not db.run("SELECT 1 FROM members m JOIN rooms r ON r.code = m.room WHERE m.id = ? AND m.room = ? "
                              "AND r.expires > ?", (member, code, time.time())):
                    raise RoomError("This room has closed, or you are no longer in it: the run was not posted.")
                if db.run("SELECT count(*) FROM runs WHERE member = ?", (member,))[0][0] >= self.limits.posts:
                    raise RoomError(f"You have posted {self.limits.posts} runs to this room, its most per student.")
                db.run("INSERT INTO runs (room, member, uid, posted, status, settings, accuracy, seconds, dataset, "
                       "templates, wrong, said, ended) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (code, member, uid, now, status, json.dumps(settings),
                        None if accuracy is None else float(accuracy), float(seconds), dataset, *blobs,
                        now if ended is None else float(ended)))
                db.run("UPDATE rooms SET version = version + 1 WHERE code = ?", (code,))
        except self.backend.taken:  # the same run posted at the same moment by another thread
            return False
        return True

    def runs(self, code: str) -> list[Run]:
        """The room's posted runs, oldest first, without their arrays."""
        with self.backend.transaction() as db:
            rows = db.run("SELECT id, member, status, settings, accuracy, seconds, dataset, posted, ended FROM runs "
                          "WHERE room = ? ORDER BY id", (code,))
        return [Run(i, m, s, json.loads(st), a, sec, d, p, e) for i, m, s, st, a, sec, d, p, e in rows]

    def arrays(self, code: str, ids: list[int]) -> dict[int, Arrays]:
        """The templates and mistakes of the room's runs `ids`."""
        if not ids:
            return {}
        marks = ", ".join("?" * len(ids))
        with self.backend.transaction() as db:
            rows = db.run(f"SELECT id, templates, wrong, said FROM runs WHERE room = ? AND id IN ({marks})",
                          (code, *map(int, ids)))
        return {i: Arrays(np.frombuffer(bytes(t), np.float16).astype(np.float32).reshape(-1, 784),
                          np.frombuffer(bytes(w), np.int32).astype(np.int64), np.frombuffer(bytes(s), np.uint8).copy())
                for i, t, w, s in rows}

    def remove_run(self, code: str, run: int) -> tuple | None:
        """Take one run off the board: its whole row, which `put_back` puts back (the teacher's undo), or None when
        it was gone already."""
        with self.backend.transaction() as db:
            rows = db.run(f"SELECT {', '.join(RUN_COLUMNS)} FROM runs WHERE id = ? AND room = ?", (run, code))
            db.run("DELETE FROM runs WHERE id = ? AND room = ?", (run, code))
            db.run("UPDATE rooms SET version = version + 1 WHERE code = ?", (code,))
        return tuple(bytes(v) if isinstance(v, memoryview) else v for v in rows[0]) if rows else None

    def put_back(self, code: str, row: tuple) -> bool:
        """Put a run `remove_run` took back on the board, under its own number: False when its student has left
        the room meanwhile (or the room has closed)."""
        values = dict(zip(RUN_COLUMNS, row))
        if values["room"] != code:
            raise ValueError("that run belongs to another room")
        with self.backend.transaction() as db:
            if not db.run("SELECT 1 FROM members m JOIN rooms r ON r.code = m.room WHERE m.id = ? AND m.room = ? "
                          "AND r.expires > ?", (values["member"], code, time.time())):
                return False
            if not db.run("SELECT 1 FROM runs WHERE room = ? AND uid = ?", (code, values["uid"])):  # not back already
                db.run(f"INSERT INTO runs ({', '.join(RUN_COLUMNS)}) VALUES ({', '.join('?' * len(RUN_COLUMNS))})", row)
                db.run("UPDATE rooms SET version = version + 1 WHERE code = ?", (code,))
        return True

    # --- drawings: the class's own digits ---

    def set_collect(self, code: str, per_digit: int | None) -> None:
        """Ask every student of the room for `per_digit` drawings of each digit, or stop collecting with None (the
        drawings made so far stay)."""
        whole = isinstance(per_digit, (int, np.integer)) and not isinstance(per_digit, bool)
        if per_digit is not None and not (whole and 1 <= per_digit <= MAX_COLLECT):
            raise RoomError(f"Ask for 1 to {MAX_COLLECT} drawings of each digit.")
        with self.backend.transaction() as db:
            db.run("UPDATE rooms SET collect = ?, version = version + 1 WHERE code = ?",
                   (None if per_digit is None else int(per_digit), code))

    def add_drawing(self, code: str, member: int, label: int, image: np.ndarray) -> int:
        """Keep seat `member`'s drawing of digit `label`, prepared as MNIST's digits are ((28, 28) uint8): its id
        (RoomError in words: no such digit, not a prepared digit, an empty one, a closed room, a student no longer
        in it, no collection, or twice the drawings asked for)."""
        if isinstance(label, bool) or not isinstance(label, (int, np.integer)) or not 0 <= label <= 9:
            raise RoomError(f"A drawing is of a digit from 0 to 9, not {label!r}.")
        image = np.asarray(image)
        if image.shape != (28, 28) or image.dtype != np.uint8:
            raise RoomError(f"A drawing is kept as the 28 x 28 digit it was prepared into, not as {image.dtype} "
                            f"{image.shape}.")
        if not image.any():
            raise RoomError("This drawing is empty: draw the digit, then send it.")
        with self.backend.transaction() as db:
            rooms = db.run("SELECT r.collect FROM members m JOIN rooms r ON r.code = m.room WHERE m.id = ? "
                           "AND m.room = ? AND r.expires > ?", (member, code, time.time()))
            if not rooms:
                raise RoomError("This room has closed, or you are no longer in it: the drawing was not kept.")
            per_digit = rooms[0][0]
            if per_digit is None:
                raise RoomError("Your teacher is not collecting drawings now: the drawing was not kept.")
            most = per_digit * 10 * 2  # twice what was asked: room to redraw, and a bound on one student
            if db.run("SELECT count(*) FROM drawings WHERE room = ? AND member = ?", (code, member))[0][0] >= most:
                raise RoomError(f"You have sent {most} drawings, twice the {per_digit * 10} asked for: thank you, "
                                "that is enough.")
            db.run("INSERT INTO drawings (room, member, label, image, drawn) VALUES (?, ?, ?, ?, ?)",
                   (code, member, int(label), image.tobytes(), time.time()))
            last = "SELECT last_insert_rowid()" if self.dialect == "sqlite" else "SELECT lastval()"
            drawing = db.run(last)[0][0]  # this connection's own insert (SQLite before 3.35 has no RETURNING)
            db.run("UPDATE rooms SET version = version + 1 WHERE code = ?", (code,))
        return drawing

    def drawings(self, code: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The open room's drawings, oldest first: images (N, 28, 28) uint8, labels (N,), members (N,) and ids (N,)."""
        with self.backend.transaction() as db:
            rows = db.run("SELECT d.id, d.member, d.label, d.image FROM drawings d JOIN rooms r ON r.code = d.room "
                          "WHERE d.room = ? AND r.expires > ? ORDER BY d.id", (code, time.time()))
        images = np.frombuffer(b"".join(bytes(row[3]) for row in rows), np.uint8).reshape(-1, 28, 28)  # (N, 28, 28)
        ids, members, labels = (np.array([row[k] for row in rows], dtype=np.int64) for k in range(3))  # (N,) each
        return images.copy(), labels, members, ids

    def drawing_counts(self, code: str) -> Tally:
        """How many of each digit the open room's students have drawn, in all and each."""
        with self.backend.transaction() as db:
            rows = db.run("SELECT d.member, d.label, count(*) FROM drawings d JOIN rooms r ON r.code = d.room "
                          "WHERE d.room = ? AND r.expires > ? GROUP BY d.member, d.label", (code, time.time()))
        by_member: dict[int, list[int]] = {}
        for member, label, n in rows:
            by_member.setdefault(member, [0] * 10)[label] += n
        by_digit = [sum(counts[d] for counts in by_member.values()) for d in range(10)]
        return Tally(tuple(by_digit), {m: tuple(c) for m, c in sorted(by_member.items())})

    def remove_drawing(self, code: str, drawing: int) -> bool:
        """The teacher takes one drawing out of the room's digits (a scribble, something rude): False when it was
        gone already."""
        with self.backend.transaction() as db:
            found = bool(db.run("SELECT 1 FROM drawings WHERE id = ? AND room = ?", (drawing, code)))
            if found:
                db.run("DELETE FROM drawings WHERE id = ? AND room = ?", (drawing, code))
                db.run("UPDATE rooms SET version = version + 1 WHERE code = ?", (code,))
        return found
