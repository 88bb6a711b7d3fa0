"""In Chromium: kept state belongs where the registry says. A key means one thing on one page; self-check answers
come back after a reload; a switch of data set drops what belonged to the last one."""

import re
from pathlib import Path

import pytest
from chromium import CHROMIUM, answer, pick_worst_cell, self_check_line, settle

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")


def nav(pg, title: str) -> None:
    """Go to another page by the sidebar's navigation, as a student does."""
    pg.locator('[data-testid="stSidebarNav"]').get_by_text(title).click()
    settle(pg)


def test_the_tensors_pages_image_does_not_move_the_reshape_pages_slice(server, page):  # noqa: F811
    page.goto(f"{server.url}/tensors?size=sample")
    settle(page)
    slider = page.get_by_role("slider").first  # "Which image i"
    slider.focus()
    for _ in range(6):
        slider.press("ArrowRight")
    page.wait_for_function("() => /[?&]img=[1-9]/.test(location.search)", timeout=30_000)  # the tensors page's own key
    settle(page)
    moved = int(re.search(r"[?&]img=(\d+)", page.url).group(1))  # a busy server may merge key presses: at least one
    nav(page, "Reshape & slicing")
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert "x_imgs[0, 10:15, 10:15]" in main  # the lesson's slice, not the tensors page's image
    assert f"x_imgs[{moved}," not in main


def test_self_check_answers_survive_a_reload(server, page):  # noqa: F811
    page.goto(f"{server.url}/tensors?size=sample")
    settle(page)
    answer(page, 0, "(5, 5)")
    assert re.search(r"1 of \d+ answered right", self_check_line(page))
    page.reload()
    settle(page)
    assert re.search(r"1 of \d+ answered right", self_check_line(page))
    main = page.locator('[data-testid="stMain"]')
    assert main.get_by_text(re.compile(r"Right\. x\[0, 10:15, 10:15\] has shape \(5, 5\)")).count() == 1, \
        main.inner_text().split("Check yourself")[-1][:800].replace("\n", " | ")


def test_a_data_set_switch_drops_the_selected_mistake(server, page):  # noqa: F811
    page.goto(f"{server.url}/mistakes?size=sample")
    settle(page)
    pick_worst_cell(page)
    page.locator('[data-testid="stSidebar"]').get_by_text("all of it").click()  # the sample -> all of MNIST
    settle(page, timeout=180)
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert "Only true" not in main and "Nothing to show here" not in main
    assert "10,000 validation images" in main
