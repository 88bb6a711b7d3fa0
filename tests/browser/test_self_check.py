"""In Chromium: answer a question wrong, read the hint, answer it right, and watch the sidebar's progress line move."""

import re
from pathlib import Path

import pytest
from chromium import CHROMIUM, answer, self_check_line, settle

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")






def test_a_wrong_answer_gets_a_hint_a_right_one_moves_the_progress_line(server, page):  # noqa: F811
    page.goto(f"{server.url}/tensors?size=sample")
    settle(page)
    assert re.search(r"0 of \d+ answered right", self_check_line(page))
    answer(page, 0, "(28, 28)")
    main = page.locator('[data-testid="stMain"]')
    assert main.get_by_text("Not yet.").count() == 1 and main.get_by_text("Hint:").count() == 1
    answer(page, 0, "(5, 5)")
    assert main.get_by_text(re.compile(r"Right\. x\[0, 10:15, 10:15\] has shape \(5, 5\)")).count() == 1
    assert re.search(r"1 of \d+ answered right", self_check_line(page))
    page.get_by_role("link", name="Reshape & slicing").first.click()  # the line survives a page switch
    settle(page)
    assert re.search(r"1 of \d+ answered right", self_check_line(page))


def test_typed_python_is_refused_in_words_and_never_run(server, page, tmp_path):  # noqa: F811
    page.goto(f"{server.url}/reshape?size=sample")
    settle(page)
    marker = tmp_path / "ran"
    answer(page, 0, f"__import__('os').system('touch {marker}')")  # the shape box: refused as no shape
    answer(page, 1, f"__import__('os').system('touch {marker}')")  # the line box: refused by the grammar
    main = page.locator('[data-testid="stMain"]')
    assert main.get_by_text(re.compile(r"could not be read: type the numbers for x\.reshape")).count() == 1
    assert main.get_by_text(re.compile(r"could not be read: \.system\(\) is not part of this grammar")).count() == 1
    assert not marker.exists()
    assert re.search(r"0 of \d+ answered right", self_check_line(page))


def test_the_lessons_own_mean_is_right_on_the_normalization_page(server, page):  # noqa: F811
    page.goto(f"{server.url}/normalization")  # all of MNIST: the lesson's 0.1304, on its own scale
    settle(page, timeout=180)
    answer(page, 0, "0.130")
    main = page.locator('[data-testid="stMain"]')
    assert main.get_by_text(re.compile(r"Right\. 0\.13 is the lesson's figure.*divided by 256")).count() == 1
