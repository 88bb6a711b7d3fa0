"""Your own images through the real upload, in Chromium: a zip of real images in ten folders (made here from Debian's
Fashion-MNIST), shown by class with its split before it is used, then the data set the lesson's pages use; a zip
that is not one is refused in words and costs nothing the session had."""

import re
from pathlib import Path

import pytest
from chromium import CHROMIUM, draw_asked_digits, settle

from bench.room_steps import MAIN, SIDEBAR, wait_text
from tests.pages.test_own_data import fashion_zip

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed")


def upload(page, name: str, blob: bytes) -> None:
    """Give the page's zip box a file."""
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[{"name": name, "mimeType": "application/zip", "buffer": blob}])


def test_a_zip_of_folders_is_shown_then_used_by_every_page(server, page):
    try:
        blob = fashion_zip()
    except Exception as e:  # noqa: BLE001 - Debian's Fashion-MNIST missing: the data error says so
        pytest.skip(f"Fashion-MNIST is not installed: {e}")
    page.goto(f"{server.url}/own?size=sample")
    settle(page)
    upload(page, "notes.zip", b"this is not a zip")
    wait_text(page, "That zip cannot be used", timeout=60, where=MAIN)
    assert "MNIST" in page.locator(SIDEBAR).inner_text()  # what the session had is still in use
    upload(page, "<b>clothes</b>.zip", blob)
    wait_text(page, r"Of your 120 images, 100 train the model and 20 check it", timeout=120, where=MAIN)
    assert "<b>clothes</b>.zip" in page.locator(MAIN).inner_text()  # the file's name as text, not markup
    page.get_by_role("button", name="Use my images on every page").click()
    wait_text(page, "Every page now uses your images", timeout=60, where=MAIN)
    wait_text(page, "Your images: 100 train / 20 valid", timeout=60, where=SIDEBAR)
    for title in ("Tensor rank & axes", "Normalization", "The model's mistakes", "Break it"):
        page.locator(SIDEBAR).get_by_role("link", name=title).click()
        wait_text(page, title, timeout=60, where=f"{MAIN} h1")
        settle(page)
        assert "Your images: 100 train / 20 valid" in page.locator(SIDEBAR).inner_text(), title
    page.reload()  # a reload keeps them, as it keeps the rest of a tab's work
    settle(page)
    assert "Your images: 100 train / 20 valid" in page.locator(SIDEBAR).inner_text()


def test_a_learner_draws_digits_of_their_own_and_every_page_uses_them(server, page):
    """Outside a room: two of each digit drawn with real mouse strokes (traced from MNIST's validation digits, so
    their labels are true), kept over a reload while drawing, then the data set of every page, checked by the lesson's
    model on the training page."""
    from mnistcore.data import load_dataset
    mnist = load_dataset("mnist", "sample")
    page.goto(f"{server.url}/own?size=sample")
    wait_text(page, "Your own digits", timeout=60, where=MAIN)
    first = draw_asked_digits(page, mnist, 0, "Your {digit} is in.", stop_after=3)
    assert len(first) == 3 and first[0] == 0  # round by round, from 0; then a reload in the middle of the drawing
    page.reload()
    wait_text(page, "You have drawn 3 of the 20 digits", timeout=60, where=MAIN)
    use = page.get_by_role("button", name=re.compile(r"Use my \d+ drawings on every page"))
    assert use.is_disabled()  # each digit needs two first
    rest = draw_asked_digits(page, mnist, 1, "Your {digit} is in.")
    assert sorted(first + rest) == sorted(list(range(10)) * 2)
    wait_text(page, "All your digits are in", timeout=30, where=MAIN)
    page.get_by_role("button", name="Use my 20 drawings on every page").click()
    wait_text(page, "Your images: 10 train / 10 valid", timeout=60, where=SIDEBAR)
    wait_text(page, "Your 20 images, from your drawings", timeout=60, where=MAIN)
    page.locator(SIDEBAR).get_by_role("link", name="Live training").click()
    wait_text(page, r"reads [\d.]+% of your validation part right", timeout=120, where=MAIN)
    assert page.locator('[data-testid="stException"]').count() == 0
