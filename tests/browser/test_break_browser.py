"""The Break it page in Debian's Chromium: a switch moved by keyboard changes the accuracy on screen, within a second;
the curves arrive from their worker by themselves."""

import re
import time
from pathlib import Path

import pytest
from chromium import CHROMIUM, settle

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")
MAIN = '[data-testid="stMain"]'
ACCURACY = """() => { const m = [...document.querySelectorAll('[data-testid="stMetric"]')]
  .find(e => e.innerText.startsWith('accuracy now'));
  return m ? m.querySelector('[data-testid="stMetricValue"]').innerText : null; }"""


@pytest.fixture
def page(browser):
    """A new browser's page, 1280 x 800."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    yield context.new_page()
    context.close()


def test_moving_the_shift_switch_changes_the_accuracy_on_screen(server, page):
    page.goto(f"{server.url}/break?size=sample")
    settle(page)
    start = page.evaluate(ACCURACY)
    assert re.fullmatch(r"\d+\.\d%", start), start
    thumb = page.locator(MAIN).get_by_role("slider", name="Shift right")
    seen = []
    for expected in ("1", "2"):
        before = page.evaluate(ACCURACY)
        thumb.focus()
        began = time.perf_counter()
        thumb.press("ArrowRight")
        page.wait_for_function(f"() => ({ACCURACY})() !== {before!r}", timeout=10_000)
        seen.append(time.perf_counter() - began)
        page.wait_for_function(f"() => new URLSearchParams(location.search).get('break_dx') === '{expected}'", timeout=10_000)
    assert page.evaluate(ACCURACY) != start
    assert max(seen) < 1.0, f"a switch move took {seen} s to show its accuracy"
    assert page.locator('[data-testid="stException"]').count() == 0


def test_the_curves_arrive_by_themselves(server, page):
    page.goto(f"{server.url}/break?size=sample&break_dx=2")
    settle(page)
    page.wait_for_function("() => [...document.querySelectorAll('.js-plotly-plot .gtitle')].some(t => "
                           "t.textContent.startsWith('Hidden square:'))", timeout=120_000)  # the last row: all nine drawn
    text = page.locator(MAIN).inner_text()
    assert "Measuring every switch" not in text and "untouched, lowest" in text
    titles = page.evaluate("() => [...document.querySelectorAll('.js-plotly-plot .gtitle')].map(t => t.textContent)")
    shift = next(t for t in titles if t.startswith("Shift right:"))
    assert shift.endswith(page.evaluate(ACCURACY))  # moved alone, the switch's chart and the page's accuracy agree
