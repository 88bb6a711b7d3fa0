"""In Chromium: the ten templates of a finished run are at least as large as the live picture's, on a laptop, a
projector and a phone (one size rule: figures.images.template_grid_height)."""

from pathlib import Path

import pytest
from chromium import CHROMIUM, settle, start_run

from mnistcore.figures.images import GRID_GAP, TEMPLATE_COLS

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")

LIVE_TILE = """() => {  // the live PNG: 5 tiles of 28 x 5 px with 10 px gaps, 760 px wide as drawn
  const img = [...document.querySelectorAll('[data-testid="stImage"] img')].find(i => i.naturalWidth === 760);
  return img ? img.getBoundingClientRect().width * 140 / 760 : null;
}"""
FINISHED_TILE = f"""() => {{  // the finished grid: {TEMPLATE_COLS} tiles of 28 template pixels, {GRID_GAP} between them
  const gd = [...document.querySelectorAll('.js-plotly-plot')].find(p => p.data && p.data[0] && p.data[0].zmid === 0);
  return gd ? gd._fullLayout.xaxis._length * 28 / ({TEMPLATE_COLS} * 28 + {TEMPLATE_COLS - 1} * {GRID_GAP}) : null;
}}"""


@pytest.mark.parametrize("width, height", [(1280, 800), (1280, 720), (390, 844)], ids=["laptop", "projector", "phone"])
def test_the_finished_templates_are_as_large_as_the_live_ones(server, browser, width, height):  # noqa: F811
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(f"{server.url}/training?size=sample&pace=slow")
    settle(page)
    start_run(page, shown="running: step ([2-9]|[1-9][0-9])")
    page.wait_for_function(f"() => ({LIVE_TILE})() !== null", timeout=30_000)
    live = page.evaluate(LIVE_TILE)
    page.get_by_role("button", name="Stop").click()
    page.wait_for_function(f"() => ({FINISHED_TILE})() !== null", timeout=60_000)
    finished = page.evaluate(FINISHED_TILE)
    context.close()
    assert finished >= 0.97 * live, (width, live, finished)
    assert finished >= (80 if width >= 1280 else 55)  # and large enough to read: ~90 px on a laptop, ~66 px on a phone
