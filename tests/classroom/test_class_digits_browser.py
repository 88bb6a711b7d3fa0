"""A class draws its own digits, in real Chromium on one server, with the class store in SQLite and in PostgreSQL: a
teacher asks for one of each digit; three students each draw their ten with real mouse strokes, traced from MNIST's
validation digits (so each label is true); the class's digits become a data set in all four sidebars, and the board
says what the lesson's model makes of them."""

import re
from pathlib import Path

import numpy as np
import pytest
from chromium import CHROMIUM, draw_asked_digits, settle, start_server, stop_server

from bench.room_steps import MAIN, SIDEBAR, join, open_room, wait_text
from mnistcore.classroom.store import open_store
from mnistcore.data import load_dataset

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed (make system)")


def tab(browser):
    """A page in a browser context of its own: another person at another computer."""
    return browser.new_context(viewport={"width": 1280, "height": 1400}).new_page()


def draw_my_digits(student, mnist, who: int) -> list[int]:
    """Open the pad from the room box and draw what it asks for until it says thank you: the digits drawn, in order."""
    student.locator(SIDEBAR).get_by_role("button", name="Draw our digits").click()
    wait_text(student, "Our own digits", where=f"{MAIN} h1")
    return draw_asked_digits(student, mnist, who, "Your {digit} is in the class's digits")


def test_a_class_draws_its_digits_and_they_become_a_data_set_and_meet_the_lesson_model(tmp_path, browser, store_url):
    srv, proc = start_server(tmp_path, env={"MNISTCORE_DB": store_url})
    mnist = load_dataset("mnist")
    try:
        teacher = tab(browser)
        code, link = open_room(teacher, srv.url)
        teacher.get_by_label("Drawings of each digit per student").fill("1")
        teacher.get_by_role("button", name="Collect our digits").click()
        wait_text(teacher, "Collecting: 1 of each digit", where=MAIN)
        students = [tab(browser) for _ in range(3)]
        for k, student in enumerate(students):
            join(student, link, f"drawer {k + 1}")
            assert sorted(draw_my_digits(student, mnist, k)) == list(range(10))
        store = open_store(store_url)
        _, labels, members, _ = store.drawings(code)
        assert len(labels) == 30 and np.bincount(labels).tolist() == [3] * 10 and len(set(members.tolist())) == 3
        wait_text(teacher, r"all\s+30", timeout=15, where=MAIN)  # the teacher's counts follow by themselves
        teacher.reload()
        for pg in [teacher, *students]:  # the class's digits, a data set in every sidebar of the room
            pg.reload() if pg is not teacher else None
            pg.locator(SIDEBAR).get_by_role("radio", name="Our class's digits").wait_for(timeout=60_000)
        students[0].locator(SIDEBAR).get_by_text("Our class's digits", exact=True).click()
        wait_text(students[0], r"Our class's digits: 20 train / 10 valid", timeout=60, where=SIDEBAR)
        board = tab(browser)
        board.goto(f"{srv.url}/board?class={code}")
        wait_text(board, r"our digits read right\s*[\d.]+%", timeout=180, where=MAIN)  # the lesson's model trained
        text = board.locator(MAIN).inner_text()
        ours = float(re.search(r"our digits read right\s*([\d.]+)%", text).group(1))
        assert 50 <= ours <= 100, text  # traced from MNIST digits: the lesson's model reads most of them
        assert "drawer" not in text  # no name goes with a drawing on the board
        learner = students[0]  # fine-tunes the lesson's model on the class's digits: the board's before and after
        learner.locator(SIDEBAR).get_by_role("link", name="Live training").click()
        wait_text(learner, r"reads [\d.]+% of our validation part right", timeout=120, where=MAIN)
        shown = float(re.search(r"reads ([\d.]+)% of our", learner.locator(MAIN).inner_text()).group(1))
        learner.locator(MAIN).get_by_text("the lesson's model + ours", exact=True).click()

        learner.locator(MAIN).get_by_text("full speed", exact=True).click()
        settle(learner)
        epochs = learner.locator(MAIN).get_by_label("Epochs")
        epochs.fill("30")
        epochs.press("Enter")
        settle(learner)
        learner.locator(MAIN).get_by_role("button", name="Start", exact=True).click()
        wait_text(learner, r"done: step 30 of 30", timeout=120, where=MAIN)
        wait_text(board, r"fine-tuned on ours\s+[\d.]+%\s+[\d.]+%", timeout=30, where=MAIN)
        before, after = map(float, re.search(r"fine-tuned on ours\s+([\d.]+)%\s+([\d.]+)%",
                                             board.locator(MAIN).inner_text()).groups())
        assert before == shown  # the run's own start: the training page's figure, on the same images and scale
        # after: the run's own accuracy, as the runs table gives it. Ten held-out drawings may read the same or worse
        # after 20 to learn from (measured: 30% -> 30%, and at lr 0.01, 50% -> 30%): whether it rises is the class's
        # finding; that it rises on enough digits is tests/pages/test_own_data.py's (300 digits, > 10 points).
        ran = float(re.search(r"([\d.]+)% \(fine-tuned from the lesson's model\)", board.locator(MAIN).inner_text()).group(1))
        assert after == round(ran, 1), (after, ran)
        for pg in [teacher, board, *students]:
            assert pg.locator('[data-testid="stException"]').count() == 0
    finally:
        stop_server(proc)
