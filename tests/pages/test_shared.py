"""What pages share on one server: page computations run once in worker processes, and a failure is not kept."""

import re
from pathlib import Path

import pytest

from ui.show import words
from ui.state import server_work


def fails_the_first_time(marker: str) -> str:
    """Raises while `marker` does not exist yet (and creates it): a transient failure in a page worker."""
    path = Path(marker)
    if not path.exists():
        path.write_text("tried once")
        raise RuntimeError("the first try failed")
    return "worked"


def test_a_failed_page_computation_is_tried_again_by_the_next_page(tmp_path):
    marker = str(tmp_path / "marker")
    with pytest.raises(RuntimeError, match="the first try failed"):
        server_work.result(fails_the_first_time, None, marker, waiting="computing")
    assert server_work.result(fails_the_first_time, None, marker, waiting="computing") == "worked"
    assert server_work.result(fails_the_first_time, None, marker, waiting="computing") == "worked"  # and kept once it worked
    Path(marker).unlink()
    assert server_work.result(fails_the_first_time, None, marker, waiting="computing") == "worked"  # (not run again)


def page(marker: str) -> None:
    """A page that needs a computation that fails the first time."""
    import streamlit as st
    from test_shared import fails_the_first_time

    from ui.state import server_work
    st.write(server_work.result(fails_the_first_time, None, marker, waiting="computing"))


def test_a_page_says_why_a_computation_failed_and_gets_it_on_reload(tmp_path):
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_function(page, args=(str(tmp_path / "marker"),), default_timeout=60).run()
    assert not at.exception and not at.markdown  # no traceback box, and the page stopped there
    assert "the first try failed. Reload the page to try again." in at.error[0].value
    at.run()
    assert not at.error and at.markdown[0].value == "worked"


def test_numbers_keep_the_digits_they_need():
    assert [words.digits3(v) for v in (0.5, 0.00412, 3.97e-31, 0.0)] == ["0.500", "0.00412", "3.97e-31", "0.000"]
    assert [words.share(v) for v in (0.912, 0.0041, 3.97e-31)] == ["91.2%", "0.41%", "3.97e-29%"]


def test_plain_text_cannot_start_markdown():
    shown = words.plain("`x` [Sign in](https://evil.example) ![t](https://evil.example/p.png) <b>hi</b> https://evil.example")
    assert re.search(r"(?<!\\)[\[\]<>`!]", shown) is None  # every mark that can open markup is escaped
    assert "https://" not in shown and "Sign in" in shown and "evil.example" in shown  # the words stay


def test_a_small_table_is_markdown_with_its_numbers_right_aligned_and_its_code_as_code():
    rows = [{"line": "x[i] | y", "shape": "(28, 28)", "loss": 0.123456, "share": "91.2%", "note": "<b>bold</b> | *no*"},
            {"line": "x[i, 0]\nx", "shape": "(28,)", "loss": 0.000123, "share": "0.41%", "note": "plain"}]
    lines = words.markdown_table(rows, code=("line",)).split("\n")
    cells = [re.split(r"(?<!\\)\|", line)[1:-1] for line in lines]  # split at the pipes that are not escaped
    assert [len(c) for c in cells] == [5] * 4  # a markup pipe in a cell never makes a column of its own
    assert [c.strip() for c in cells[1]] == ["---", "---", "---:", "---:", "---"]  # numbers right, words left
    assert cells[2][0].strip() == "`x[i] \\| y`" and cells[2][2].strip() == "0.1235"
    assert cells[3][2].strip() == "0.000123" and len(lines) == 4  # a small number keeps its digits; code stays on its line
    assert "<b>" not in lines[2] and re.search(r"(?<!\\)[<>*]", cells[2][4]) is None  # a cell's markup shows as text


def test_one_browser_cannot_queue_more_than_its_share_and_the_table_is_bounded():
    import time
    from concurrent.futures import ThreadPoolExecutor
    pool = ThreadPoolExecutor(1)  # one worker, as on a 2-core server: what waits can still be cancelled
    table = server_work.Computations(most=6, per_browser=2, submit=pool.submit)
    busy = table.start(time.sleep, None, (0.5,), "a student")  # the worker is busy
    storm = [table.start(time.sleep, None, (0.001 * (k + 1),), "a storm of links") for k in range(5)]
    assert [f.cancelled() for f in storm] == [True, True, True, False, False]  # its oldest waiting work gave way
    assert table.waiting_for("a storm of links") == 2 and table.waiting_for("a student") == 0
    other = table.start(time.sleep, None, (0.002,), "another student")
    assert not other.cancelled() and table.start(time.sleep, None, (0.002,), "a storm of links") is other  # shared
    many = [table.start(abs, None, (-k,), f"browser {k}") for k in range(8)]  # more keys than the table holds
    assert many[0].cancelled() and not many[-1].cancelled()  # dropped from the table: cancelled, never run
    assert busy.result() is None and many[-1].result() == 7
    pool.shutdown()
