"""What a teacher and a student do in a class room, as Playwright steps (the room benchmark and the classroom
browser tests both drive Chromium through these)."""

import re
import time

MAIN, SIDEBAR = '[data-testid="stMain"]', '[data-testid="stSidebar"]'


def wait_text(pg, pattern: str, timeout: float = 60, where: str = "body") -> float:
    """Seconds until `pattern` (a regular expression) appears in the text of `where`."""
    t0 = time.monotonic()
    pg.wait_for_function("([sel, p]) => new RegExp(p).test(document.querySelector(sel)?.innerText || '')",
                         arg=[where, pattern], timeout=timeout * 1000)
    return time.monotonic() - t0


def open_room(teacher, url: str, password: str | None = None) -> tuple[str, str]:
    """Open a room on the Teach page; its code and its student link."""
    teacher.goto(f"{url}/teach?size=sample")
    wait_text(teacher, "Open a room", where=MAIN)
    if password:
        teacher.get_by_label("Teacher password", exact=True).fill(password)
    teacher.get_by_role("button", name="Open a room").click()
    # the room's code block; the first one in the page is looks.style's hidden one, which loads the highlighter
    wait_text(teacher, r"\?room=", where=f'{MAIN} [data-testid="stCode"]:not(.st-key-code_preload *)')
    code = "".join(teacher.locator(f"{MAIN} h1").nth(1).inner_text().split())
    student_link = next(t for t in teacher.locator('[data-testid="stCode"]').all_inner_texts() if "?room=" in t).strip()
    return code, student_link


def push_task(teacher, text: str, optimizer: str = "SGD") -> None:
    """Write a task (the quick sample at full speed, with `optimizer`) and push it to the class."""
    teacher.get_by_label("Instruction", exact=True).fill(text)
    teacher.locator('[data-testid="stForm"]').get_by_text(optimizer, exact=True).click()
    teacher.get_by_role("button", name="Push to every student").click()
    wait_text(teacher, "Every student sees now", where=MAIN)


def join(student, link: str, name: str, timeout: float = 60) -> None:
    """Open the student link and join with `name`."""
    student.goto(link)
    student.get_by_label("Your name on the class board", exact=True).fill(name, timeout=timeout * 1000)  # atop the page
    student.get_by_role("button", name="Join the class").click()
    wait_text(student, "you are", timeout=timeout, where=SIDEBAR)


def use_task(student, timeout: float = 60) -> None:
    """Press "Use these settings" and wait for the training page."""
    student.locator(SIDEBAR).get_by_role("button", name="Use these settings").click(timeout=timeout * 1000)
    wait_text(student, "Live training", timeout=timeout, where=f"{MAIN} h1")


def start_fresh(student, timeout: float = 60) -> None:
    """On the training page: clear an ended run if there is one, then press Start."""
    main = student.locator(MAIN)
    if main.get_by_role("button", name="Reset", exact=True).is_enabled():
        main.get_by_role("button", name="Reset", exact=True).click()
        wait_text(student, "Press Start to train", timeout=timeout, where=MAIN)
    main.get_by_role("button", name="Start", exact=True).click(timeout=timeout * 1000)


def runs_posted(board) -> int:
    """How many runs the board's metric says were posted."""
    # by its label, not its place: once in a full run the third metric read 40, as the "40" of a best of 85.40%
    text = board.locator('[data-testid="stMetric"]').filter(has_text="runs posted").first.inner_text()
    return int(re.search(r"runs posted\s*(\d+)", text).group(1))
