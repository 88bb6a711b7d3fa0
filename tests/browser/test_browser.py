"""The app in Debian's Chromium, driven by Playwright: deep links, live training, clicks and drawing."""

import time
from pathlib import Path

import pytest
from chromium import (
    CHART_TEXTS,
    CHROMIUM,
    PAGES,
    cpu_share,
    draw_a_digit,
    live_weights,
    pick_worst_cell,
    progress,
    settle,
    start_run,
    start_server,
    step_of,
    stop_server,
    total_of,
    weights_signature,
)

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")


def test_every_page_by_its_url_on_a_fresh_server(server, page):
    for path, title in PAGES.items():  # the very first request of this server is a deep link
        page.goto(f"{server.url}/{path}" if path else server.url)
        settle(page)
        assert title in page.locator("h1").first.inner_text()
        sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
        assert "Settings for every page" in sidebar and "In use:" in sidebar


def test_a_shared_link_restores_the_view(server, page):
    page.goto(f"{server.url}/tensors?rank=4&digit=7&img=3")
    settle(page)
    assert page.get_by_role("radio", name="4: a batch of 8 colour images").is_checked()
    assert "(8, 3, 28, 28)" in page.locator('[data-testid="stMain"]').inner_text()
    assert "rank=4" in page.url


def test_heatmaps_change_while_training_and_the_run_survives_a_page_switch(server, page):
    page.goto(f"{server.url}/training?pace=slow&epochs=10")
    settle(page)
    page.get_by_role("button", name="Start").click()
    first = live_weights(page)
    time.sleep(2)
    assert live_weights(page) != first  # the templates are moving
    before = step_of(progress(page))
    page.locator('[data-testid="stSidebarNav"]').get_by_text("Softmax & cross-entropy").click()
    settle(page)
    time.sleep(1)
    page.locator('[data-testid="stSidebarNav"]').get_by_text("Live training").click()
    page.wait_for_selector('[data-testid="stProgress"]', timeout=30_000)
    time.sleep(1.5)
    text = progress(page)
    assert ("running" in text or "done" in text) and step_of(text) > before
    page.get_by_role("button", name="Stop").click()
    page.wait_for_function("() => document.body.innerText.includes('stopped: step')", timeout=30_000)
    assert weights_signature(page) > 0  # once the run ends, the interactive heatmaps replace the picture


def test_clicking_a_confusion_cell_filters_the_gallery(server, page):
    page.goto(f"{server.url}/mistakes")
    settle(page)
    main = page.locator('[data-testid="stMain"]')
    assert "Only true" not in main.inner_text()
    cell = pick_worst_cell(page)
    tiles = main.inner_text().count(f"true {cell['t']} → {cell['p']}")
    assert tiles == min(cell["n"], 20)


def test_drawing_a_digit_gives_a_prediction(server, page):
    page.goto(f"{server.url}/mistakes")
    settle(page)
    draw_a_digit(page)
    page.locator('[data-testid="stPlotlyChart"]').last.scroll_into_view_if_needed()  # charts draw when seen
    page.wait_for_function(f"() => ({CHART_TEXTS})().filter(t => t.startsWith('predicted')).length === 2", timeout=30_000)


def test_the_line_steps_and_resets_inside_its_fragment(server, page):
    # AppTest reruns the whole page on every click; a browser reruns only the fragment, which kept the names of the
    # last full run: Reset emptied the session's path while the fragment went on drawing (and stepping) the old one
    page.goto(f"{server.url}/learning")
    settle(page)
    main = page.locator('[data-testid="stMain"]')

    def press(name: str, step: int) -> None:
        main.get_by_role("button", name=name, exact=True).click()
        page.wait_for_function(f"() => ({CHART_TEXTS})().includes('The loss over (a, b): step {step}')", timeout=30_000)

    press("Step", 1)
    press("Step", 2)
    press("Reset", 0)
    press("Step", 1)


def test_two_sessions_train_independently(server, browser):
    contexts = [browser.new_context(viewport={"width": 1400, "height": 2000}) for _ in range(2)]
    pages = [c.new_page() for c in contexts]
    for pg, epochs in zip(pages, (20, 40)):  # slow motion: neither finishes during the test
        pg.goto(f"{server.url}/training?size=sample&epochs={epochs}&pace=slow")
        settle(pg)
        pg.get_by_role("button", name="Start").click()
    for pg in pages:
        pg.wait_for_function("() => /running: step [1-9]/.test(document.body.innerText)", timeout=60_000)
    assert [total_of(progress(pg)) for pg in pages] == [20 * 63, 40 * 63]
    pages[0].get_by_role("button", name="Stop").click()
    pages[0].wait_for_function("() => document.body.innerText.includes('stopped: step')", timeout=30_000)
    time.sleep(1)
    assert progress(pages[1]).startswith("running")  # the other student's run is untouched
    pages[1].get_by_role("button", name="Stop").click()
    for c in contexts:
        c.close()


def test_closing_the_tab_stops_its_run(server, browser):
    context = browser.new_context(viewport={"width": 1400, "height": 2000})
    pg = context.new_page()
    pg.goto(f"{server.url}/training?data=fashion&epochs=50&pace=full")
    settle(pg)
    deadline = time.monotonic() + 120  # the server's own prefetch for a new data set (the pages' first views) ends first
    while cpu_share(server.pid) >= 0.2 and time.monotonic() < deadline:
        pass
    start_run(pg)
    assert cpu_share(server.pid) > 0.5  # training at full speed
    context.close()
    time.sleep(2 + 2)  # the reconnect grace, then the reaper's next look
    assert cpu_share(server.pid) < 0.2  # the run has stopped


def test_sessions_that_arrive_together_on_a_fresh_server(tmp_path, browser):
    """Two students open chart pages at the same moment on a server that has imported nothing yet.

    Before app.py imported pandas first thing, their threads met pandas' first import inside
    plotly_chart together and one got a half-initialized module (a traceback box).
    """
    srv, proc = start_server(tmp_path)
    contexts = [browser.new_context(viewport={"width": 1400, "height": 2000}) for _ in range(4)]
    pages = [c.new_page() for c in contexts]
    try:
        for pg, path in zip(pages, ("softmax", "normalization", "softmax", "training")):
            pg.goto(f"{srv.url}/{path}", wait_until="commit")  # no waiting: the four scripts start together
        for pg in pages:
            settle(pg)
    finally:
        for c in contexts:
            c.close()
        stop_server(proc)
    assert "Traceback" not in (tmp_path / "server.log").read_text()
