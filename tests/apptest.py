"""The AppTest helpers every page test shares: a fresh session on a page, and the checks after each step."""

import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

from ui.course.lesson_path import page_file

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGES = ["home", "tensors", "normalization", "reshape", "softmax", "learning", "training", "mistakes", "break"]
TIMEOUT = 180


QUICK = {"size": "sample", "pace": "full"}  # the tests' default: the shipped sample, trained at full speed


def open_page(page_name: str, /, **query) -> AppTest:
    """A fresh app session on `page`, with optional URL query parameters (QUICK unless they say otherwise)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for k, v in {**QUICK, **query}.items():
        if v is not None:
            at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    if page_name != "home":
        at.switch_page(page_file(page_name)).run()
    ok(at)
    return at


def ok(at: AppTest) -> None:
    """No exception box on the page."""
    assert not at.exception, [e.message for e in at.exception]


def by_label(elements, fragment: str):
    """The first widget whose label contains `fragment`."""
    return next(e for e in elements if fragment in e.label)


def run_until(at: AppTest, done, timeout: float = 120.0) -> None:
    """Rerun the page (as its polling fragment would) until `done(at)`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        time.sleep(0.3)
        at.run()
        ok(at)
        if done(at):
            return
    raise AssertionError("the run did not finish in time")


def progress_text(at: AppTest) -> str:
    """The training page's progress line."""
    bars = at.get("progress")
    return bars[0].text if bars else ""
