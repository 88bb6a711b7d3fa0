"""In Chromium: one browser's tabs cannot take the class's training places; another browser still can train."""

import pytest
from chromium import CHROMIUM, settle, start_run

from mnistcore.serving.lines import RUNS_PER_BROWSER

pytestmark = pytest.mark.skipif(not __import__("pathlib").Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")
LONG = "training?size=sample&epochs=100&pace=slow"  # none ends during the test


def test_one_browser_holds_at_most_its_share_and_is_told_why(server, browser):  # noqa: F811
    student = browser.new_context()  # one browser: its tabs share the XSRF cookie, so one id
    tabs = [student.new_page() for _ in range(RUNS_PER_BROWSER + 1)]
    for tab in tabs:
        tab.goto(f"{server.url}/{LONG}")
        settle(tab)
    for tab in tabs[:RUNS_PER_BROWSER]:
        start_run(tab, "running|waiting")
    tabs[-1].locator('[data-testid="stMain"]').get_by_role("button", name="Start").click()
    tabs[-1].wait_for_selector("text=This browser already has", timeout=30_000)
    assert "each browser may train" in tabs[-1].locator('[data-testid="stMain"]').inner_text()
    assert tabs[-1].locator('[data-testid="stProgress"]').count() == 0  # nothing started, nothing lost

    other = browser.new_context()  # another student, in another browser: a place for them
    pg = other.new_page()
    pg.goto(f"{server.url}/{LONG}")
    settle(pg)
    start_run(pg, "running|waiting")
    assert "This browser already has" not in pg.locator('[data-testid="stMain"]').inner_text()

    tabs[0].locator('[data-testid="stMain"]').get_by_role("button", name="Stop").click()  # a place of its own frees up
    tabs[0].wait_for_function("() => /stopped/.test(document.querySelector('[data-testid=\"stProgress\"]')?.innerText || '')",
                              timeout=30_000)
    start_run(tabs[-1], "running|waiting")
    for page in [*tabs[1:], pg]:
        page.locator('[data-testid="stMain"]').get_by_role("button", name="Stop").click()
    student.close()
    other.close()
