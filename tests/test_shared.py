"""What pages share on one server: page computations run once in worker processes, and a failure is not kept."""

import re
from pathlib import Path

import pytest

from app_pages import shared


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
        shared.computed(fails_the_first_time, None, marker, waiting="computing")
    assert shared.computed(fails_the_first_time, None, marker, waiting="computing") == "worked"
    assert shared.computed(fails_the_first_time, None, marker, waiting="computing") == "worked"  # and kept once it worked
    Path(marker).unlink()
    assert shared.computed(fails_the_first_time, None, marker, waiting="computing") == "worked"  # (not run again)


def page(marker: str) -> None:
    """A page that needs a computation that fails the first time."""
    import streamlit as st
    from test_shared import fails_the_first_time

    from app_pages import shared
    st.write(shared.computed(fails_the_first_time, None, marker, waiting="computing"))


def test_a_page_says_why_a_computation_failed_and_gets_it_on_reload(tmp_path):
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_function(page, args=(str(tmp_path / "marker"),), default_timeout=60).run()
    assert not at.exception and not at.markdown  # no traceback box, and the page stopped there
    assert "the first try failed. Reload the page to try again." in at.error[0].value
    at.run()
    assert not at.error and at.markdown[0].value == "worked"


def test_numbers_keep_the_digits_they_need():
    from app_pages import shared
    assert [shared.digits3(v) for v in (0.5, 0.00412, 3.97e-31, 0.0)] == ["0.500", "0.00412", "3.97e-31", "0.000"]
    assert [shared.share(v) for v in (0.912, 0.0041, 3.97e-31)] == ["91.2%", "0.41%", "3.97e-29%"]


def test_plain_text_cannot_start_markdown():
    from app_pages import shared
    shown = shared.plain("`x` [Sign in](https://evil.example) ![t](https://evil.example/p.png) <b>hi</b> https://evil.example")
    assert re.search(r"(?<!\\)[\[\]<>`!]", shown) is None  # every mark that can open markup is escaped
    assert "https://" not in shown and "Sign in" in shown and "evil.example" in shown  # the words stay
