"""AppTests of the class pages (Teach a class, Class board) and the sidebar's room box, on a real SQLite store."""

import pytest
from apptest import APP, TIMEOUT, by_label, ok, page_file
from streamlit.testing.v1 import AppTest

from mnistcore.classroom.store import open_store
from ui.room import rooms


@pytest.fixture
def class_db(tmp_path, monkeypatch):
    """A fresh class database for this test's sessions (the server's store is opened anew)."""
    url = str(tmp_path / "class.db")
    monkeypatch.setenv("MNISTCORE_DB", url)
    monkeypatch.setattr(rooms, "_store", None)
    monkeypatch.setattr(rooms, "GUESSES", type(rooms.GUESSES)())
    yield url
    rooms._store = None


def session(page: str = "home", **query) -> AppTest:
    """A fresh session on `page` (the quick sample)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for k, v in {"size": "sample", **query}.items():
        at.query_params[k] = v
    at.run()
    if page != "home":
        at.switch_page(page_file(page)).run()
    ok(at)
    return at


def texts(at: AppTest) -> str:
    """Every piece of text on the page, sidebar included."""
    parts = [e.value for kind in ("markdown", "caption", "info", "warning", "error", "success") for e in getattr(at, kind)]
    return "\n".join(map(str, parts))


def open_room(at: AppTest) -> str:
    """Press "Open a room"; the room's code."""
    at.button(key="FormSubmitter:open_room-Open a room").click().run()
    ok(at)
    return at.session_state["teaching"].code


def test_a_teacher_opens_a_room_and_pushes_a_task_that_shows_as_text(class_db):
    at = session("teach")
    code = open_room(at)
    assert f"?room={code}" in "\n".join(c.value for c in at.code)
    assert any(f"board?class={code}" in b.proto.url for b in at.get("link_button"))
    by_label(at.text_area, "Instruction").input("Try **SGD** at <b>lr 1</b> [now](javascript:1)")
    by_label(at.radio, "Optimizer").set_value("sgd")
    at.button(key="FormSubmitter:task_form-Push to every student").click().run()
    ok(at)
    task = open_store(class_db).room(code).task
    assert task["text"] == "Try **SGD** at <b>lr 1</b> [now](javascript:1)" and task["settings"]["optim"] == "sgd"
    shown = next(m.value for m in at.markdown if m.value.startswith("**Every student sees now:**"))
    assert "\\*\\*SGD\\*\\*" in shown and "\\<b\\>" in shown and "\\[now\\]" in shown  # escaped: shown as typed
    at.button(key=next(b.key for b in at.button if b.label == "Clear the task")).click().run()
    assert open_store(class_db).room(code).task is None
    store = open_store(class_db)
    member, _ = store.join(code, "<i>Ada</i>")
    store.hide(code, member)
    at.run()
    ok(at)
    table = next(m.value for m in at.markdown if m.value.startswith("| name | on the board as |"))
    assert "| \\<i\\>Ada\\</i\\> | student 1 |" in table  # the real name, as text, beside the name the board shows


def test_a_student_joins_by_the_link_sees_the_task_and_takes_its_settings(class_db):
    store = open_store(class_db)
    code, _ = store.create_room()
    store.set_task(code, "SGD, lr 0.1, 2 epochs", {"optim": "sgd", "lr": 0.1, "epochs": 2, "size": "sample"})
    at = session(room=code.lower())  # a typed link in small letters still finds the room
    assert any(f"Class room {code}" in m.value for m in at.markdown)
    by_label(at.text_input, "Your name on the class board").input("<img src=x onerror=alert(1)>")
    at.button(key="seat_join").click().run()
    ok(at)
    assert [m.name for m in store.members(code)] == ["<img src=x onerror=alert(1)>"]
    box = texts(at)
    assert "you are **\\<img src=x onerror=alert(1)\\>**" in box and "**Task:** SGD, lr 0.1, 2 epochs" in box
    at.sidebar.button(key="seat_use").click().run()
    assert (at.session_state["kept:optim"], at.session_state["kept:lr"], at.session_state["kept:epochs"]) == ("sgd", 0.1, 2)


# What Streamlit's front end reads as its own codes in Markdown (its bundle's tests for them): an emoji shortcode,
# a Material icon, a colour or other directive.
STREAMLIT_CODES = [r":(?!material/|streamlit:)[\w+-][\w_+-]*:", r":material/", r":streamlit:", r":[A-Za-z][\w-]*\["]


def test_a_name_and_a_task_with_streamlit_codes_are_shown_as_typed(class_db):
    import re
    store = open_store(class_db)
    code, _ = store.create_room()
    store.set_task(code, ":red[RED] :material/home:", {})
    at = session(room=code)
    by_label(at.text_input, "Your name on the class board").input(":material/skull: :skull:")
    at.button(key="seat_join").click().run()
    ok(at)
    box = texts(at)
    assert "you are **:\u200bmaterial/skull: :\u200bskull:**" in box and "**Task:** :\u200bred\\[RED\\]" in box
    for pattern in STREAMLIT_CODES:
        assert re.search(pattern, box) is None, pattern


def test_a_name_already_taken_or_a_wrong_code_gets_words_and_guessing_is_slowed(class_db):
    store = open_store(class_db)
    code, _ = store.create_room()
    store.join(code, "Ada")
    at = session(room=code)
    by_label(at.text_input, "Your name on the class board").input("ADA")
    at.button(key="seat_join").click().run()
    assert "already called ADA" in texts(at) and "seat" not in at.session_state
    at = session(room="ZZZZZZ")
    by_label(at.text_input, "Your name on the class board").input("Cy")
    for _ in range(5):
        at.button(key="seat_join").click().run()
        assert "No open class room has the code ZZZZZZ" in texts(at)
    at.button(key="seat_join").click().run()  # the sixth try in a minute
    assert "Try again in" in texts(at) and "No open class room" not in texts(at)


def test_strangers_guessing_elsewhere_do_not_lock_a_class_out_of_joining_or_its_board(class_db, monkeypatch):
    from ui.state import browsers
    store = open_store(class_db)
    code, _ = store.create_room()
    for k in range(rooms.GUESSES.per_server):  # a stranger's flood: one address past its fill, then many more
        rooms.GUESSES.failed((f"forged cookie {k}", "198.51.100.7" if k < 100 else f"203.0.113.{k % 200}"))
    monkeypatch.setattr(browsers, "peer_address", lambda: "192.0.2.10")  # the classroom's own address
    at = session(room=code)
    by_label(at.text_input, "Your name on the class board").input("Ada")
    at.button(key="seat_join").click().run()
    ok(at)
    assert [m.name for m in store.members(code)] == ["Ada"] and "Try again in" not in texts(at)
    board = session("board", **{"class": code})
    assert [m.value for m in board.metric][:2] == [code, "1"]
    monkeypatch.setattr(browsers, "peer_address", lambda: "198.51.100.7")  # the stranger's address: still waits
    at = session(room=code)
    by_label(at.text_input, "Your name on the class board").input("Eve")
    at.button(key="seat_join").click().run()
    assert "Try again in" in texts(at) and [m.name for m in store.members(code)] == ["Ada"]


def test_a_wrong_teacher_link_is_refused_alike_for_a_room_that_exists_and_one_that_does_not(class_db):
    code, secret = open_store(class_db).create_room()
    said = []
    for room in (code, "ZZZZZZ"):
        at = session("teach", room=room, key=secret + "x")
        said.append([w.value for w in at.warning])
        assert "teaching" not in at.session_state and "key" not in at.query_params  # the secret leaves the address
    assert said[0] == said[1] == ["That teacher link does not open a room: it may be mistyped, or its room has closed."]
    at = session("teach", room=code, key=secret)
    assert at.session_state["teaching"].code == code
    assert "key" not in at.query_params and not any("Join" in b.label for b in at.button)


def test_a_hosted_server_makes_rooms_only_behind_the_teacher_password(class_db, monkeypatch):
    monkeypatch.setenv("MNISTCORE_HOSTED", "1")
    at = session("teach")
    assert any("Rooms are off on this server" in i.value for i in at.info)
    monkeypatch.setenv("MNISTCORE_TEACHER_PASSWORD", "chalk")
    at = session("teach")
    by_label(at.text_input, "Teacher password").input("cheese")
    at.button(key="FormSubmitter:open_room-Open a room").click().run()
    assert "not the teacher password" in texts(at) and "teaching" not in at.session_state
    by_label(at.text_input, "Teacher password").input("chalk")
    assert open_room(at)


def test_a_laptop_opens_rooms_from_its_own_screen_or_behind_the_password(class_db, monkeypatch):
    from ui.state import browsers
    monkeypatch.setattr(browsers, "peer_address", lambda: "192.0.2.77")  # a student's phone on the classroom's network
    at = session("teach")
    assert any("Rooms are opened on the computer running the app" in i.value for i in at.info)
    assert not any(b.key == "FormSubmitter:open_room-Open a room" for b in at.button)
    monkeypatch.setenv("MNISTCORE_TEACHER_PASSWORD", "chalk")  # a teacher who wants to open rooms from a tablet
    at = session("teach")
    by_label(at.text_input, "Teacher password").input("chalk")
    assert open_room(at)
    monkeypatch.delenv("MNISTCORE_TEACHER_PASSWORD")
    monkeypatch.setattr(browsers, "peer_address", lambda: "127.0.0.1")  # the laptop itself: no password needed
    assert open_room(session("teach"))


def test_this_machine_is_told_by_its_addresses():
    import psutil

    from ui.state.browsers import is_this_machine
    assert all(map(is_this_machine, [None, "127.0.0.1", "127.0.0.2", "::1", "::ffff:127.0.0.1"]))
    assert not any(map(is_this_machine, ["", "192.0.2.77", "198.51.100.7", "2001:db8::7", "not an address"]))
    own = [a.address for addrs in psutil.net_if_addrs().values() for a in addrs
           if a.family.name == "AF_INET" and not a.address.startswith("127.")]
    assert all(map(is_this_machine, own))  # the laptop opened at its own network address counts as itself


def test_the_board_shows_a_room_and_says_so_for_an_unknown_code(class_db):
    store = open_store(class_db)
    code, _ = store.create_room()
    at = session("board", **{"class": code})
    assert [m.value for m in at.metric][:3] == [code, "0", "0"]
    assert any("No run yet" in i.value for i in at.info)
    # plotly.js loads with the empty board, in a hidden chart: the first run's redraw does not wait for it
    assert len(at.get("plotly_chart")) == 1 and at.get("plotly_chart")[0].proto.id.endswith("plotly_preload_chart")
    at = session("board", **{"class": "ZZZZZZ"})
    assert any("No open class room has the code ZZZZZZ" in w.value for w in at.warning)
    at = session("board")
    assert by_label(at.text_input, "Room code")  # no code: it asks for one


def test_every_class_page_says_in_words_when_the_database_cannot_be_used(tmp_path, monkeypatch):
    (tmp_path / "class.db").mkdir()  # a folder where the database file should be
    monkeypatch.setenv("MNISTCORE_DB", str(tmp_path / "class.db"))
    monkeypatch.setattr(rooms, "_store", None)
    at = session("teach")
    at.button(key="FormSubmitter:open_room-Open a room").click().run()
    ok(at)
    assert any("class database cannot be reached" in w.value for w in at.warning)
    at = session("board", **{"class": "ABCDEF"})
    assert any("class database cannot be reached" in w.value for w in at.warning)
    at = session(room="ABCDEF")
    by_label(at.text_input, "Your name on the class board").input("Ada")
    at.button(key="seat_join").click().run()
    ok(at)
    assert any("class database cannot be reached" in w.value for w in at.warning)
    rooms._store = None



def test_the_start_page_takes_a_room_code_to_the_join_prompt(class_db):
    code, _ = open_store(class_db).create_room()
    at = session("home")
    by_label(at.text_input, "room code").input(code.lower())
    next(b for b in at.button if b.label == "Go to the room").click().run()
    ok(at)
    assert code in str(at.query_params["room"])
    assert any(f"Class room {code}" in m.value for m in at.markdown)  # the join prompt atop the page


@pytest.mark.parametrize("pinned", [False, True], ids=["own seed", "the task's seed"])
def test_in_a_room_each_students_run_has_a_seed_of_its_own_unless_the_task_pins_one(class_db, pinned):
    store = open_store(class_db)
    code, _ = store.create_room()
    store.join(code, "Ann")  # another student: this one's seat is the second
    store.set_task(code, "Go", {"size": "sample", "pace": "full", **({"seed": 0} if pinned else {})})
    at = session(room=code)
    by_label(at.text_input, "Your name on the class board").input("Ben")
    at.button(key="seat_join").click().run()
    at.sidebar.button(key="seat_use").click().run()  # its switch to the training page is the browser's (AppTest: below)
    at.switch_page(page_file("training")).run()
    ok(at)
    by_label(at.button, "Start").click().run()
    ok(at)
    ben = next(m.id for m in store.members(code) if m.name == "Ben")
    assert at.session_state["job"].config.seed == (0 if pinned else ben) and ben != 0
    assert at.session_state["kept:seed"] == 0  # the sidebar's seed, and the pages' own model, are untouched


def test_a_run_taken_off_the_board_comes_back_with_undo_and_the_list_keeps_its_place(class_db):
    import numpy as np
    at = session("teach")
    code = open_room(at)
    store = open_store(class_db)
    for name in ("Ada", "Cy", "Bo"):
        member, _ = store.join(code, name)
        store.post(code, member, f"run-{name}", "done", {"model": "linear", "optimizer": "sgd", "lr": 0.1,
                                                          "batch_size": 64, "epochs": 1}, 0.9, 2.0, "mnist|x|4000|1000",
                   np.zeros((10, 784), np.float32), np.array([3]), np.array([5]))
    at.run()
    runs = [r.id for r in store.runs(code)]
    by_label(at.selectbox, "Run").set_value(next(o for o in by_label(at.selectbox, "Run").options if "Cy" in o)).run()
    remove = next(b for b in at.button if b.label == "Remove this run from the board")
    remove.click().run()
    ok(at)
    assert [r.id for r in store.runs(code)] == [runs[0], runs[2]]
    assert f"Run #{runs[1]} by Cy was taken off the board." in texts(at)
    assert by_label(at.selectbox, "Run").value["name"] == "Ada"  # the one below it (newest first), not the top
    next(b for b in at.button if b.label == "Undo").click().run()
    ok(at)
    assert [r.id for r in store.runs(code)] == runs  # back, under its own number
    assert "taken off the board" not in texts(at)


def test_the_board_sets_the_lesson_models_reading_of_our_digits_beside_a_fine_tunes_before_and_after(class_db):
    """The board's section on the class's digits (real drawings: MNIST's sample digits, as prepared drawings are):
    the lesson's model's accuracy on them, and a student's fine-tune with the 'before' its run measured."""
    import numpy as np

    from mnistcore.data import load_dataset
    store = open_store(class_db)
    code, _ = store.create_room()
    store.set_collect(code, 2)
    ada, _ = store.join(code, "Ada")
    digits = load_dataset("mnist", "sample")
    for d in range(10):
        for i in np.flatnonzero(digits.y_valid == d)[:2]:
            store.add_drawing(code, ada, d, digits.x_valid[i])
    at = session("board", **{"class": code})
    metrics = {m.label: m.value for m in at.metric}
    assert float(metrics["our digits read right"].rstrip("%")) >= 50  # MNIST's own digits: the lesson's model reads them
    assert "None yet. On the training page" in texts(at)
    origin = f"folders|zip room {code}, 20 drawings, last 20, split 0 0.2|10|10"
    settings = {"model": "linear", "optimizer": "adam", "lr": 0.001, "batch_size": 64, "epochs": 30,
                "schedule": "constant", "momentum": 0.9, "start": "lesson", "trained_on": "", "before": 0.6}
    store.post(code, ada, "u1", "done", settings, 0.9, 0.2, origin, np.zeros((10, 784), np.float32),
               np.zeros(0, np.int64), np.zeros(0, np.uint8), 0.0)
    at = session("board", **{"class": code})
    ok(at)
    table = next(m.value for m in at.markdown if "how it learned" in m.value)
    assert "| Ada | the lesson's model, fine-tuned on ours | 60.0% | 90.0% |" in table, table
    assert "90.00% (fine-tuned from the lesson's model)" in texts(at)  # the runs table marks it too


def test_the_class_digits_stay_put_while_chosen_until_the_student_takes_the_new_ones(class_db):
    """A student on Our class's digits keeps the drawings there were when they chose it while the class draws on
    (every page's state belongs to that data set); 'Use all N drawings now' takes the rest."""
    import numpy as np

    from mnistcore.data import load_dataset
    store = open_store(class_db)
    code, _ = store.create_room()
    store.set_collect(code, 3)
    at = session(room=code)
    by_label(at.text_input, "Your name on the class board").input("Ada")
    at.button(key="seat_join").click().run()
    ok(at)
    ada = at.session_state["seat"].member
    digits = load_dataset("mnist", "sample")

    def draw(k: int) -> None:
        for d in range(10):
            store.add_drawing(code, ada, d, digits.x_valid[np.flatnonzero(digits.y_valid == d)[k]])
    draw(0)
    draw(1)
    at.run()
    by_label(at.sidebar.radio, "Data set").set_value("class").run()
    ok(at)
    assert len(at.session_state["dataset"].x_train) + len(at.session_state["dataset"].x_valid) == 20
    assert not [b for b in at.sidebar.button if b.label.startswith("Use all")]
    draw(2)
    at.run()
    ok(at)
    assert len(at.session_state["dataset"].x_train) + len(at.session_state["dataset"].x_valid) == 20  # put
    next(b for b in at.sidebar.button if b.label == "Use all 30 drawings now").click().run()
    ok(at)
    assert len(at.session_state["dataset"].x_train) + len(at.session_state["dataset"].x_valid) == 30
    assert not [b for b in at.sidebar.button if b.label.startswith("Use all")]
