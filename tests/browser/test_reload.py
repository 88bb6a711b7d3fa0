"""In Chromium: a reload brings the tab's run back, a copied link shows nobody else's, the link for the class is
clean, the mask examples work on a fresh server, and a run says which data set it belongs to."""

import re
import time

import pytest
from chromium import CHROMIUM, progress, settle, start_run, start_server, step_of, stop_server

pytestmark = pytest.mark.skipif(not __import__("pathlib").Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    """A server no page has visited yet."""
    srv, proc = start_server(tmp_path_factory.mktemp("reload"))
    yield srv
    stop_server(proc)


def test_the_mask_examples_work_on_a_fresh_server(fresh, browser):  # noqa: F811
    page = browser.new_page(viewport={"width": 1400, "height": 4000})
    page.goto(f"{fresh.url}/reshape?slice=img%5Bimg%20%3E%200.5%5D")  # the first page this server ever runs
    settle(page)
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert "KeyError" not in main and "img[img > 0.5]   # -> shape (" in main
    page.close()


def test_a_reload_brings_the_run_back_and_its_link_shows_it_to_nobody_else(fresh, browser):  # noqa: F811
    mine = browser.new_context(viewport={"width": 1400, "height": 3000})
    page = mine.new_page()
    page.goto(f"{fresh.url}/training?size=sample&pace=slow&epochs=3")
    settle(page)
    start_run(page)
    before = step_of(progress(page))
    assert "tab=" in page.url and "run=1" in page.url
    page.reload()
    page.wait_for_selector('[data-testid="stProgress"]', timeout=60_000)
    time.sleep(1.5)
    text = progress(page)
    assert text.startswith("running") and step_of(text) >= before, text
    assert page.get_by_role("button", name="Stop").is_enabled()
    assert "quick sample" in page.locator('[data-testid="stSidebar"]').inner_text()
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert "gone" not in main and "restarted" not in main

    copied = page.url  # the address bar, as a student would paste it to a friend
    friend = browser.new_context(viewport={"width": 1400, "height": 3000})
    theirs = friend.new_page()
    theirs.goto(copied)
    settle(theirs)
    their_main = theirs.locator('[data-testid="stMain"]').inner_text()
    assert theirs.locator('[data-testid="stProgress"]').count() == 0  # no run, no run controls of mine
    assert not theirs.get_by_role("button", name="Stop").is_enabled()
    assert "gone" not in their_main and "restarted" not in their_main  # and no false warning
    assert re.search(r"tab=([0-9a-f]+)", theirs.url).group(1) != re.search(r"tab=([0-9a-f]+)", copied).group(1)

    page.get_by_role("button", name="Copy a link for the class").click()
    link = page.locator('[data-testid="stPopoverBody"] code').inner_text()
    assert "epochs=3" in link and "pace=slow" in link and "tab=" not in link and "run=" not in link
    assert link.startswith(fresh.url + "/training?")
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Stop").click()
    page.wait_for_function("() => document.body.innerText.includes('stopped: step')", timeout=30_000)
    friend.close()
    mine.close()


def test_a_run_says_which_data_set_it_belongs_to(fresh, browser):  # noqa: F811
    page = browser.new_page(viewport={"width": 1400, "height": 3000})
    page.goto(f"{fresh.url}/training?size=sample&pace=full")
    settle(page)
    page.get_by_role("button", name="Start").click()
    page.wait_for_function("() => document.body.innerText.includes('done: step')", timeout=60_000)
    page.locator('[data-testid="stSidebar"]').get_by_text("Fashion-MNIST").click()
    settle(page)
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert "This run trained on MNIST" in main and "the sidebar now says Fashion-MNIST" in main
    run = main.split("lets it race.", 1)[1]  # below the intro, which names the classes of the data set in use
    assert "T-shirt/top" not in run  # the digit templates keep their digit names
    page.close()
