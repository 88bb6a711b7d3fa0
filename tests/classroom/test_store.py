"""The class store against both real backends: SQLite in WAL mode and PostgreSQL (tests/pg_server.py)."""

import multiprocessing as mp
import os
import socket
import sqlite3
import threading
import time

import numpy as np
import pytest

from mnistcore.classroom import schema
from mnistcore.classroom.backends import Timeouts, connect
from mnistcore.classroom.store import (
    CODE_LENGTH,
    CODE_LETTERS,
    Limits,
    RoomError,
    Store,
    StoreBusy,
    StoreDown,
    open_store,
)

TEMPLATES = np.linspace(-1, 1, 7840, dtype=np.float32).reshape(10, 784)


def post(store, code, member, uid, status="done", accuracy=0.9, wrong=(3, 7), said=(5, 1)):
    """Post a small run."""
    return store.post(code, member, uid, status, {"model": "linear", "optimizer": "sgd", "lr": 0.1, "batch_size": 64,
                                                 "epochs": 1}, accuracy, 2.5, "mnist|x|4000|1000", TEMPLATES,
                      np.array(wrong), np.array(said))


def test_a_new_store_is_at_the_newest_schema(store_url):
    assert open_store(store_url).version() == schema.VERSION


def test_an_old_database_is_migrated_in_place_and_keeps_its_rows(store_url):
    store = open_store(store_url)
    # make a version-1 database: drop what migration 2 added, as a store made before it would look
    with store.backend.transaction() as db:
        db.run("DROP TABLE drawings")
        db.run("DROP TABLE runs")
        db.run("DROP TABLE members")
        db.run("DROP TABLE rooms")
        db.run("UPDATE schema_version SET version = 0")
    assert store.migrate(upto=1) == 1
    code = "OLDONE"
    with store.backend.transaction() as db:  # rows as the code of version 1 wrote them
        db.run("INSERT INTO rooms (code, teacher_hash, created, expires) VALUES (?, 'x', 0, ?)", (code, time.time() + 3600))
        db.run("INSERT INTO members (room, name, seat_hash, joined) VALUES (?, 'Ada', 'x', 0)", (code,))
    with pytest.raises(StoreDown), store.backend.transaction() as db:  # no such column yet
        db.run("SELECT answered FROM members")
    reopened = open_store(store_url)  # newer code opens the old file: migrations 2 to 5 run, the rows stay
    assert reopened.version() == schema.VERSION == 5
    assert [(m.name, m.answered, m.questions) for m in reopened.members(code)] == [("Ada", 0, 0)]


def test_a_room_has_a_readable_code_and_only_its_teacher_secret_opens_it(store_url):
    store = open_store(store_url)
    code, secret = store.create_room()
    assert len(code) == CODE_LENGTH and set(code) <= set(CODE_LETTERS)
    assert store.room(code).code == code and store.room(code.lower()).code == code  # typed in small letters
    assert store.room(f" {code[:3]}-{code[3:]} ").code == code  # or with a space and a dash
    assert store.is_teacher(code, secret)
    assert not store.is_teacher(code, secret + "x")
    assert not store.is_teacher("ZZZZZZ", secret)  # no such room: the same False as a wrong secret
    assert store.room("ZZZZZZ") is None


def test_rooms_expire_and_an_ended_room_takes_its_students_and_runs_with_it(store_url):
    store = open_store(store_url, Limits(hours=1))
    code, _ = store.create_room(now=1000.0)
    assert store.room(code, now=1000.0 + 3599) is not None
    assert store.room(code, now=1000.0 + 3600) is None
    code, secret = store.create_room()
    member, _ = store.join(code, "Ada")
    post(store, code, member, "r1")
    store.end_room(code)
    assert store.room(code) is None and store.members(code) == [] and store.runs(code) == []
    assert not store.is_teacher(code, secret)


def test_a_store_holds_at_most_its_rooms_and_expired_ones_make_room(store_url):
    store = open_store(store_url, Limits(rooms=2, hours=1))
    store.create_room(now=0.0)  # long expired
    store.create_room()
    store.create_room()
    with pytest.raises(RoomError, match="2 open rooms"):
        store.create_room()


def test_students_join_by_a_plain_name_once_and_the_room_has_a_cap(store_url):
    store = open_store(store_url, Limits(students=3))
    code, _ = store.create_room()
    ada, seat = store.join(code, "  Ada \n Lovelace ")
    markup = "<b>Bob</b> **[x](javascript:1)**"
    store.join(code, markup)
    assert [m.name for m in store.members(code)] == ["Ada Lovelace", markup]  # kept as typed; the page shows it as text
    assert store.seated(code, ada, seat) and not store.seated(code, ada, seat + "x")
    with pytest.raises(RoomError, match="already called"):
        store.join(code, "ada lovelace")
    for bad, words in [("", "Type a name"), (" \t", "Type a name"), ("x" * 41, "at most 40"), ("\x00\x07", "Type a name")]:
        with pytest.raises(RoomError, match=words):
            store.join(code, bad)
    store.join(code, "Cy")
    with pytest.raises(RoomError, match="full"):
        store.join(code, "Dee")


LOOKALIKES_OF_ALICE = ["alice", "ALICE", "\u0410lice", "Al\u0456ce", "\u0391lice", "\uff21\uff4c\uff49\uff43\uff45", "AIice",
                      "A1ice", "Alic\u0435"]  # small, capitals, Cyrillic A / i, Greek Alpha, full-width, I, 1, Cyrillic e


def test_a_name_that_looks_like_a_name_in_the_room_is_refused(store_url):
    store = open_store(store_url)
    code, _ = store.create_room()
    store.join(code, "Alice")
    for name in LOOKALIKES_OF_ALICE:
        with pytest.raises(RoomError, match="looks the same"):
            store.join(code, name)
    for name in ["Alicia", "Chloé", "Chloe", "Alice B"]:  # other names, accents included, still join
        store.join(code, name)
    assert [m.name for m in store.members(code)] == ["Alice", "Alicia", "Chloé", "Chloe", "Alice B"]


def test_a_run_is_posted_once_and_comes_back_with_its_arrays(store_url):
    store = open_store(store_url)
    code, _ = store.create_room()
    member, _ = store.join(code, "Ada")
    assert post(store, code, member, "r1")
    assert not post(store, code, member, "r1")  # the same run again: not a second row
    assert post(store, code, member, "r2", status="diverged", accuracy=None)
    runs = store.runs(code)
    assert [(r.status, r.accuracy) for r in runs] == [("done", 0.9), ("diverged", None)]
    assert runs[0].settings["optimizer"] == "sgd" and runs[0].dataset == "mnist|x|4000|1000"
    assert runs[0].posted - 5 < runs[0].ended <= runs[0].posted
    arrays = store.arrays(code, [runs[0].id])[runs[0].id]
    assert arrays.templates.shape == (10, 784)
    np.testing.assert_allclose(arrays.templates, TEMPLATES, atol=1e-3)  # kept as float16: 15 KB a run
    assert arrays.wrong.tolist() == [3, 7] and arrays.said.tolist() == [5, 1]
    row = store.remove_run(code, runs[0].id)
    assert [r.status for r in store.runs(code)] == ["diverged"]
    assert store.put_back(code, row) and store.put_back(code, row)  # the teacher's undo; a second press changes nothing
    assert store.runs(code) == runs  # the same run, under its own number, in its place
    assert store.arrays(code, [runs[0].id])[runs[0].id].wrong.tolist() == [3, 7]
    store.remove_run(code, runs[0].id)
    store.remove(code, member)
    assert not store.put_back(code, row)  # its student left meanwhile: nothing to put it back under
    with pytest.raises(ValueError):
        post(store, code, member, "r3", status="failed")


def test_a_student_posts_at_most_their_fill_and_nothing_to_a_closed_room(store_url):
    store = open_store(store_url, Limits(posts=2))
    code, _ = store.create_room()
    member, _ = store.join(code, "Ada")
    post(store, code, member, "r1")
    post(store, code, member, "r2")
    with pytest.raises(RoomError, match="posted 2 runs"):
        post(store, code, member, "r3")
    store.end_room(code)
    with pytest.raises(RoomError, match="closed"):
        post(store, code, member, "r4")


def test_every_change_a_board_shows_bumps_the_room_version(store_url):
    store = open_store(store_url)
    code, _ = store.create_room()
    seen = [store.room(code).version]
    member, _ = store.join(code, "Ada")
    store.set_task(code, "Try SGD at lr 1", {"optim": "sgd", "lr": 1.0})
    post(store, code, member, "r1")
    store.set_progress(code, member, 3, 22)
    store.hide(code, member)
    for _ in range(5):
        seen.append(store.room(code).version)
    assert seen[-1] == seen[0] + 5
    store.set_progress(code, member, 3, 22)  # no change: no version (the board need not redraw)
    assert store.room(code).version == seen[-1]
    room = store.room(code)
    assert room.task["text"] == "Try SGD at lr 1" and room.task["settings"] == {"optim": "sgd", "lr": 1.0}
    assert store.members(code)[0].hidden and store.members(code)[0].answered == 3
    store.set_task(code, None)
    assert store.room(code).task is None
    with pytest.raises(RoomError, match="at most 300"):
        store.set_task(code, "x" * 301)


def _join_many(url: str, code: str, first: int) -> list[int]:
    """Join five students from another process."""
    store = open_store(url)
    return [store.join(code, f"student {first + i}")[0] for i in range(5)]


def test_server_processes_share_one_store(store_url):
    store = open_store(store_url, Limits(students=100))
    code, _ = store.create_room()
    with mp.get_context("spawn").Pool(4) as pool:  # four server processes joining students at once
        ids = pool.starmap(_join_many, [(store_url, code, 5 * k) for k in range(4)])
    assert len({i for chunk in ids for i in chunk}) == 20
    assert len(store.members(code)) == 20


def test_a_sqlite_file_that_cannot_be_used_is_a_store_down_not_a_traceback(tmp_path):
    path = tmp_path / "class.db"
    store = open_store(str(path))
    path.unlink()
    path.mkdir()  # the file is gone and a folder took its name
    with pytest.raises(StoreDown):
        store.room("ABCDEF")
    (tmp_path / "junk.db").write_bytes(b"not a database" * 100)
    with pytest.raises(StoreDown):
        open_store(str(tmp_path / "junk.db"))


def test_sqlite_store_is_in_wal_mode(tmp_path):
    open_store(str(tmp_path / "class.db"))
    assert sqlite3.connect(tmp_path / "class.db").execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_postgresql_server_that_stops_is_a_store_down_and_the_store_recovers_when_it_is_back(tmp_path):
    from tests.pg_server import Postgres, binaries
    if binaries() is None:
        pytest.skip("PostgreSQL is not installed here (make system installs it)")
    server = Postgres()
    try:
        store = open_store(server.url)
        code, _ = store.create_room()
        member, _ = store.join(code, "Ada")
        server.stop()
        with pytest.raises(StoreDown, match="cannot be reached"):
            store.room(code)
        with pytest.raises(StoreDown):
            post(store, code, member, "r1")
        server.start()
        assert post(store, code, member, "r1")  # the same store object, no reconnecting by the caller
        assert [r.status for r in store.runs(code)] == ["done"]
    finally:
        server.close()


def hold_the_store_lock(url: str):
    """Another connection that takes the store's write lock and keeps it (a stalled server, or a stranger)."""
    if url.startswith("postgresql://"):
        import psycopg
        con = psycopg.connect(url, autocommit=True)
        con.execute("SELECT pg_advisory_lock(22)")  # the store's lock (backends.Postgres), held by this session
        return con
    con = sqlite3.connect(url, isolation_level=None)
    con.execute("BEGIN IMMEDIATE")  # SQLite's write lock
    return con


def test_a_connection_holding_the_store_lock_costs_a_join_its_lock_bound_and_words(store_url):
    store = Store(connect(store_url, Timeouts(lock=1.0)))
    code, _ = store.create_room()
    holder = hold_the_store_lock(store_url)
    start = time.monotonic()
    with pytest.raises(StoreBusy):  # a StoreDown: the page says "busy" in words (ui/room/rooms.BUSY)
        store.join(code, "Ada")
    waited = time.monotonic() - start
    assert 0.9 <= waited < 2.5, waited  # the lock's bound, not the 13 s a join waited with none
    assert store.room(code) is not None  # reading needs no lock: the board goes on
    holder.close()
    store.join(code, "Ada")


def test_postgresql_ends_a_connection_idle_in_a_transaction_and_the_class_goes_on(postgres_server):
    store = Store(connect(postgres_server.url, Timeouts(idle_in_transaction=1.0, lock=4.0)))
    code, _ = store.create_room()
    stalled = []

    def stall():
        try:
            with store.backend.transaction(exclusive=True) as db:  # takes the lock, then stalls with it
                time.sleep(2.0)
                db.run("SELECT 1")
        except StoreDown as e:
            stalled.append(e)

    holder = threading.Thread(target=stall)
    holder.start()
    time.sleep(0.3)
    start = time.monotonic()
    store.join(code, "Ada")  # waits for the lock until the server ends the stalled session, then joins
    assert time.monotonic() - start < 2.5
    holder.join()
    assert len(stalled) == 1  # the stalled transaction was ended by the server, and said so to its caller


def test_postgresql_connections_carry_their_bounds_and_keepalives(postgres_server):
    store = Store(connect(postgres_server.url))
    with store.backend.transaction() as db:
        shown = {name: db.run(f"SHOW {name}")[0][0] for name in
                 ("statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout", "tcp_keepalives_idle",
                  "tcp_keepalives_interval", "tcp_keepalives_count")}
        sock = socket.socket(fileno=os.dup(db.raw.connection.fileno()))  # this end's socket to the server
        try:
            keepalive = (sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE),
                         sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE),
                         sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL),
                         sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT))
        finally:
            sock.close()
    assert shown == {"statement_timeout": "5s", "lock_timeout": "3s", "idle_in_transaction_session_timeout": "10s",
                     "tcp_keepalives_idle": "10", "tcp_keepalives_interval": "5", "tcp_keepalives_count": "3"}
    assert keepalive == (1, 10, 5, 3)  # a database host that vanished is noticed in about 25 s, not 2 hours


def test_a_seat_belongs_to_its_browser_and_any_server_finds_it_again(store_url):
    store = open_store(store_url)
    code, _ = store.create_room()
    ben, secret = store.join(code, "Ben", browser="browser-a")
    restarted = open_store(store_url)  # another server, or this one after a restart: nothing in memory
    found = restarted.seat_of(code, "browser-a")
    assert (found.member, found.name, found.secret) == (ben, "Ben", "")
    assert restarted.seated(code, ben, "", "browser-a") and restarted.seated(code, ben, secret)
    assert not restarted.seated(code, ben, "", "browser-b") and restarted.seat_of(code, "browser-b") is None
    with pytest.raises(RoomError, match="already has a seat in this room, as Ben"):  # reload-and-join fills no room
        restarted.join(code, "Ben 2", browser="browser-a")
    assert [m.name for m in restarted.members(code)] == ["Ben"]


def test_a_rejoin_code_takes_the_seat_to_another_device_and_a_wrong_one_does_not(store_url):
    store = open_store(store_url)
    code, _ = store.create_room()
    ben, _ = store.join(code, "Ben", browser="laptop")
    rejoin = store.rejoin_code(code, ben)
    with pytest.raises(RoomError, match="do not match"):
        store.rejoin(code, "Ben", "WRONG1", "phone")
    with pytest.raises(RoomError, match="do not match"):
        store.rejoin(code, "Sam", rejoin, "phone")
    seat = store.rejoin(code, "ben", rejoin.lower(), "phone")
    assert (seat.member, seat.name) == (ben, "Ben") and store.seated(code, ben, "", "phone")
    assert [m.name for m in store.members(code)] == ["Ben"]  # one student, two devices


def test_the_teacher_takes_a_student_out_with_their_runs(store_url):
    store = open_store(store_url)
    code, _ = store.create_room()
    ben, secret = store.join(code, "Ben", browser="b")
    post(store, code, ben, "r1")
    store.remove(code, ben)
    assert store.members(code) == [] and store.runs(code) == []
    assert not store.seated(code, ben, secret, "b") and store.seat_of(code, "b") is None
    assert store.join(code, "Ben", browser="b")[0] != ben  # may join again, as a new student


def test_the_browser_that_opened_a_room_teaches_it_again(store_url):
    store = open_store(store_url)
    code, _ = store.create_room(browser="teacher-laptop")
    assert open_store(store_url).taught_by("teacher-laptop") == code  # another server, or after a restart
    assert store.taught_by("a-student") is None and store.taught_by(None) is None
    store.end_room(code)
    assert store.taught_by("teacher-laptop") is None


# --- the class's own digits ---


def digit(k: int) -> np.ndarray:
    """A (28, 28) uint8 stand-in for a prepared drawing: a bar at row `k` + 4, so each one is told apart."""
    image = np.zeros((28, 28), np.uint8)
    image[k + 4, 6:22] = 255
    return image


def drawing_rows(store, code: str) -> int:
    """How many drawings of room `code` the database holds, open or not."""
    with store.backend.transaction() as db:
        return db.run("SELECT count(*) FROM drawings WHERE room = ?", (code,))[0][0]


def test_a_version_4_database_is_migrated_to_drawings_and_keeps_its_rows(store_url):
    store = open_store(store_url)
    with store.backend.transaction() as db:  # a database as the code of schema 4 left it
        for table in ("drawings", "runs", "members", "rooms"):
            db.run(f"DROP TABLE {table}")
        db.run("UPDATE schema_version SET version = 0")
    assert store.migrate(upto=4) == 4
    code = "OLDFOR"
    with store.backend.transaction() as db:  # rows as the code of version 4 wrote them
        db.run("INSERT INTO rooms (code, teacher_hash, created, expires, teacher_browser) VALUES (?, 'x', 0, ?, 't')",
               (code, time.time() + 3600))
        db.run("INSERT INTO members (room, name, seat_hash, joined, browser) VALUES (?, 'Ada', 'x', 0, 'b')", (code,))
    ada = store.members(code)[0].id
    post(store, code, ada, "r1")
    with pytest.raises(StoreDown), store.backend.transaction() as db:  # no drawings yet
        db.run("SELECT count(*) FROM drawings")
    reopened = open_store(store_url)  # newer code opens it: migration 5 runs
    assert reopened.version() == schema.VERSION == 5
    assert [m.name for m in reopened.members(code)] == ["Ada"] and len(reopened.runs(code)) == 1
    assert reopened.seat_of(code, "b").member == ada
    room = reopened.room(code)
    assert room.collect is None and reopened.taught_by("t") == code  # not collecting: no column value yet
    reopened.set_collect(code, 2)
    reopened.add_drawing(code, ada, 7, digit(7))
    assert reopened.drawing_counts(code).by_digit == (0,) * 7 + (1, 0, 0)


def test_a_class_draws_its_digits_and_the_teacher_sees_and_removes_them(store_url):
    store = open_store(store_url)
    code, _ = store.create_room()
    ada, _ = store.join(code, "Ada")
    ben, _ = store.join(code, "Ben")
    version = store.room(code).version
    store.set_collect(code, 2)
    assert store.room(code).collect == 2 and store.room(code).version == version + 1
    ids = [store.add_drawing(code, ada, k, digit(k)) for k in (3, 1, 4)]
    ids.append(store.add_drawing(code, ben, np.int64(1), digit(9)))
    assert store.room(code).version == version + 5  # each drawing moves the board
    images, labels, members, got = store.drawings(code)
    assert images.shape == (4, 28, 28) and images.dtype == np.uint8 and images.flags.writeable
    np.testing.assert_array_equal(images[0], digit(3))
    np.testing.assert_array_equal(images[3], digit(9))
    assert labels.tolist() == [3, 1, 4, 1] and members.tolist() == [ada, ada, ada, ben] and got.tolist() == ids
    tally = store.drawing_counts(code)
    assert tally.by_digit == (0, 2, 0, 1, 1, 0, 0, 0, 0, 0) and tally.total == 4
    assert tally.by_member == {ada: (0, 1, 0, 1, 1, 0, 0, 0, 0, 0), ben: (0, 1) + (0,) * 8}
    assert store.remove_drawing(code, ids[1])  # the teacher takes a scribble out
    assert store.room(code).version == version + 6
    assert not store.remove_drawing(code, ids[1])  # gone already: nothing changes
    assert store.room(code).version == version + 6
    other, _ = store.create_room()
    assert not store.remove_drawing(other, ids[0])  # another room's teacher cannot touch it
    assert store.drawings(code)[1].tolist() == [3, 4, 1] and store.drawing_counts(code).by_digit[1] == 1
    assert store.drawings(other)[0].shape == (0, 28, 28) and store.drawing_counts(other).total == 0
    store.set_collect(code, None)  # collecting ends; the drawings stay
    assert store.room(code).collect is None and store.drawing_counts(code).total == 3


def test_a_drawing_is_refused_in_words(store_url):
    store = open_store(store_url)
    code, _ = store.create_room()
    ada, _ = store.join(code, "Ada")
    with pytest.raises(RoomError, match="not collecting"):
        store.add_drawing(code, ada, 3, digit(3))
    for per_digit in (0, 11, "2", 2.0, True):
        with pytest.raises(RoomError, match="1 to 10 drawings"):
            store.set_collect(code, per_digit)
    store.set_collect(code, 1)
    for label in (10, -1, "3", 3.0, True, None):
        with pytest.raises(RoomError, match="a digit from 0 to 9"):
            store.add_drawing(code, ada, label, digit(3))
    for image in (np.zeros((28, 27), np.uint8), digit(3).astype(float) / 255, digit(3).reshape(784), [[1]]):
        with pytest.raises(RoomError, match="28 x 28"):
            store.add_drawing(code, ada, 3, image)
    with pytest.raises(RoomError, match="empty"):
        store.add_drawing(code, ada, 3, np.zeros((28, 28), np.uint8))
    other, _ = store.create_room()
    stranger, _ = store.join(other, "Sam")
    with pytest.raises(RoomError, match="no longer in it"):  # a seat of another room
        store.add_drawing(code, stranger, 3, digit(3))
    for k in range(20):  # one of each digit asked: twice that is the most
        store.add_drawing(code, ada, k % 10, digit(k % 10))
    with pytest.raises(RoomError, match="You have sent 20 drawings, twice the 10 asked for"):
        store.add_drawing(code, ada, 0, digit(0))
    assert store.drawing_counts(code).total == 20
    store.end_room(code)
    with pytest.raises(RoomError, match="closed"):
        store.add_drawing(code, ada, 3, digit(3))


def test_ending_a_room_or_its_expiry_deletes_its_drawings_and_a_removed_student_takes_theirs(store_url):
    store = open_store(store_url)
    code, _ = store.create_room()
    ada, _ = store.join(code, "Ada")
    ben, _ = store.join(code, "Ben")
    store.set_collect(code, 2)
    for k in range(3):
        store.add_drawing(code, ada, k, digit(k))
        store.add_drawing(code, ben, k, digit(k))
    store.remove(code, ben)  # the teacher takes Ben out: his drawings go with him
    assert store.drawings(code)[2].tolist() == [ada] * 3 and drawing_rows(store, code) == 3
    store.end_room(code)  # the cascade: rooms -> drawings, and rooms -> members -> drawings
    assert drawing_rows(store, code) == 0
    code, _ = store.create_room()
    ada, _ = store.join(code, "Ada")
    store.set_collect(code, 2)
    store.add_drawing(code, ada, 5, digit(5))
    with store.backend.transaction() as db:  # eight hours later
        db.run("UPDATE rooms SET expires = ? WHERE code = ?", (time.time() - 1, code))
    assert store.drawings(code)[0].shape == (0, 28, 28) and store.drawing_counts(code).total == 0  # closed: nothing
    assert drawing_rows(store, code) == 1  # until the next room opens, which deletes expired rooms
    store.create_room()
    assert drawing_rows(store, code) == 0
