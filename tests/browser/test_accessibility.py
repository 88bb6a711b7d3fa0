"""Accessibility in real Chromium: axe-core's WCAG 2.0, 2.1 and 2.2 A and AA rules on every page and in the states
that matter, every picture with words, the training page by keyboard alone, tab titles, and phones."""

import re
import time
from pathlib import Path

import pytest
from axe import violations
from chromium import CHROMIUM, PAGES, draw_a_digit, settle, start_server, stop_server

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed")
ALL_PAGES = {**PAGES, "teach": "Teach a class", "board": "Class board"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("a11y")
    srv, proc = start_server(folder, env={"MNISTCORE_DB": str(folder / "class.db")})
    yield srv
    stop_server(proc)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1600})
    yield context.new_page()
    context.close()


def report(found: list[dict]) -> str:
    """The violations, one line each, for the assertion's message."""
    return "\n".join(f"{v['id']} ({v['impact']}): {v['help']} -- {', '.join(v['nodes'][:5])}" for v in found)


def clean(pg) -> None:
    """No serious or critical WCAG A/AA violation on the page now."""
    found = violations(pg)
    assert not found, report(found)


@pytest.mark.parametrize("path", list(ALL_PAGES), ids=lambda p: p or "home")
def test_every_page_passes_axe(server, page, path):
    page.goto(f"{server.url}/{path}?size=sample")
    settle(page)
    clean(page)


def test_a_finished_run_passes_axe(server, page):
    page.goto(f"{server.url}/training?size=sample&pace=full")
    settle(page)
    page.locator('[data-testid="stMain"]').get_by_role("button", name="Start", exact=True).click()
    page.wait_for_function("() => /done: step/.test(document.querySelector('[data-testid=\"stProgress\"]')?.innerText)",
                           timeout=120_000)
    settle(page)
    clean(page)


def test_a_filtered_gallery_and_a_drawn_digit_pass_axe(server, page):
    from chromium import pick_worst_cell
    page.goto(f"{server.url}/mistakes?size=sample")
    settle(page)
    pick_worst_cell(page)
    clean(page)
    draw_a_digit(page)
    clean(page)


def test_the_learning_page_after_a_few_steps_passes_axe(server, page):
    page.goto(f"{server.url}/learning?size=sample")
    settle(page)
    for _ in range(3):
        page.locator('[data-testid="stMain"]').get_by_role("button", name=re.compile("step", re.I)).first.click()
        settle(page)
    clean(page)


def test_each_page_has_its_own_tab_title(server, page):
    titles = {}
    for path in ALL_PAGES:
        page.goto(f"{server.url}/{path}?size=sample")
        settle(page)
        titles[path] = page.title()
    assert len(set(titles.values())) == len(titles), titles
    assert all(heading.split(" ")[0] in titles[path] for path, heading in ALL_PAGES.items() if path), titles


FOCUS = """() => { const e = document.activeElement; if (!e || e === document.body) return null;
  const s = getComputedStyle(e), r = e.getBoundingClientRect();
  const ring = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';
  return {name: e.getAttribute('aria-label') || e.innerText || e.getAttribute('role') || e.tagName,
          role: e.getAttribute('role') || e.tagName.toLowerCase(), ring, seen: r.width > 0 && r.height > 0}; }"""


def tab_to(page, wanted, limit: int = 80) -> dict:
    """Press Tab until the focused element matches `wanted(focus)`; the focus there (its ring must show)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS)
        if focus and wanted(focus):
            assert focus["ring"] and focus["seen"], f"focus is not visible on {focus}"
            return focus
    raise AssertionError("Tab never reached the element")


def progress(page) -> str:
    return page.evaluate("() => document.querySelector('[data-testid=\"stProgress\"]')?.innerText || ''")


def focused_on(page, wanted, timeout: float = 15) -> dict:
    """The focus, once `wanted(focus)` holds for it (AssertionError naming where it is, after `timeout` seconds)."""
    deadline, focus = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        focus = page.evaluate(FOCUS)
        if focus and wanted(focus):
            return focus
        time.sleep(0.2)
    raise AssertionError(f"the focus is on {focus or 'the page body'}")


def test_the_training_page_works_by_keyboard_alone(server, page):
    page.goto(f"{server.url}/training?size=sample&epochs=20&pace=slow")
    settle(page)
    page.evaluate("() => document.activeElement && document.activeElement.blur()")  # Tab from the top of the page
    tab_to(page, lambda f: f["name"] == "Learning rate")  # the slider's thumb
    page.keyboard.press("ArrowRight")  # 0.001 -> 0.003
    page.wait_for_function("() => /lr=0.003/.test(location.search)", timeout=20_000)
    tab_to(page, lambda f: f["role"] == "button" and f["name"].strip().endswith("Start"))
    # Each press disables or renames its button: the focus stays in the row of buttons, on the one to press next,
    # and never falls back to the top of the page (which made a keyboard user Tab through it all again).
    for shows, then in ((r"running: step", "Pause"), (r"paused", "Resume"), (r"running", "Pause")):
        page.keyboard.press("Enter")
        page.wait_for_function(f"() => /{shows}/.test(document.querySelector('[data-testid=\"stProgress\"]')?.innerText)",
                               timeout=60_000)
        focus = focused_on(page, lambda f, n=then: f["role"] == "button" and f["name"].strip().endswith(n))
        assert focus["ring"] and focus["seen"]
    tab_to(page, lambda f: f["role"] == "button" and f["name"].strip().endswith("Stop"))
    page.keyboard.press("Enter")
    page.wait_for_function("() => /stopped/.test(document.querySelector('[data-testid=\"stProgress\"]')?.innerText)",
                           timeout=60_000)
    focused_on(page, lambda f: f["role"] == "button")  # Reset or Start, beside the Stop that is now disabled


def test_a_checked_answer_keeps_the_keyboard_where_it_was(server, page):
    """Check by keyboard: a wrong answer leaves the focus on Check; a right one moves it to the verdict that replaced
    the box, so a screen reader reads it out and Tab goes on from there."""
    page.goto(f"{server.url}/normalization?size=sample")
    settle(page)
    box = page.get_by_label("Your answer").nth(0)
    for typed, verdict in (("0.5", "Not yet"), ("0.13", "Right.")):
        box.fill(typed)
        box.press("Enter")
        settle(page)
        page.locator('[data-testid="stMain"]').get_by_role("button", name="Check").nth(0).focus()
        page.keyboard.press("Enter")
        page.wait_for_function("v => document.querySelector('[data-testid=\"stMain\"]').innerText.includes(v)",
                               arg=verdict, timeout=30_000)
        settle(page)
        focus = focused_on(page, lambda f: True, timeout=5)
        if verdict == "Not yet":
            assert focus["role"] == "button" and focus["name"].strip() == "Check", focus
        else:
            assert focus["name"].strip().startswith("check_circle") and "Right." in focus["name"], focus
    page.keyboard.press("Tab")
    assert "answer, worked out" in (focused_on(page, lambda f: True, timeout=5)["name"])  # on from the verdict


@pytest.mark.parametrize("path", ["training", "teach"])
def test_every_stop_of_the_keyboard_shows_where_the_focus_is(server, page, path):
    page.goto(f"{server.url}/{path}?size=sample")
    settle(page)
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    stops, seen = [], set()
    for _ in range(120):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS)
        if focus is None or (focus["name"], focus["role"]) in seen and focus["name"] == "Skip to main content":
            break  # round the page once
        seen.add((focus["name"], focus["role"]))
        if focus["role"] != "main":  # the skip link's target, reached by the skip link, not drawn as a control
            stops.append(focus)
    assert len(stops) > 15
    assert [s["name"] for s in stops if not s["ring"]] == []


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=3, is_mobile=True,
                                  has_touch=True)
    yield context.new_page()
    context.close()


def settle_phone(pg, timeout: float = 120) -> None:
    """As test_browser.settle, which waits for the folded sidebar too."""
    settle(pg, timeout)


@pytest.mark.parametrize("path", list(ALL_PAGES), ids=lambda p: p or "home")
def test_no_page_scrolls_sideways_on_a_phone(server, phone, path):
    phone.goto(f"{server.url}/{path}?size=sample")
    settle_phone(phone)
    width = phone.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"{path} is {width} px wide on a 390 px phone"
    cut = phone.evaluate(CUT_TABLES)
    assert cut == [], f"{path}: tables cut off on the right: {cut}"


# tables whose right edge is past the screen's, with their first cells (a data frame scrolls inside itself: cut)
CUT_TABLES = """() => [...document.querySelectorAll('[data-testid="stMain"] table, [data-testid="stDataFrame"]')]
  .filter(t => t.offsetParent !== null && t.getBoundingClientRect().right > innerWidth + 1)
  .map(t => t.innerText.slice(0, 60))"""
# visible charts whose next element is not a caption: their words
WORDLESS_CHARTS = """() => [...document.querySelectorAll('[data-testid="stMain"] .stPlotlyChart')]
  .filter(c => c.offsetParent !== null)
  .map(c => c.closest('[data-testid="stElementContainer"]'))
  .filter(e => !(e.nextElementSibling && e.nextElementSibling.querySelector('[data-testid="stCaptionContainer"]')))
  .map(e => (e.querySelector('.gtitle') || {}).textContent || 'untitled')"""


@pytest.mark.parametrize("path", list(ALL_PAGES), ids=lambda p: p or "home")
def test_every_chart_has_its_words_under_it(server, page, path):
    page.goto(f"{server.url}/{path}?size=sample")
    settle(page)
    assert page.evaluate(WORDLESS_CHARTS) == []


def test_the_softmax_chart_stays_in_view_while_its_sliders_move_on_a_phone(server, phone):
    phone.goto(f"{server.url}/softmax?size=sample")
    settle_phone(phone)
    sliders = phone.locator('[data-testid="stSlider"]')
    sliders.nth(9).scroll_into_view_if_needed()
    chart = phone.locator(".st-key-softmax_chart").bounding_box()
    slider = sliders.nth(9).bounding_box()
    assert 0 <= chart["y"] < 200 and chart["y"] + chart["height"] <= slider["y"], (chart, slider)  # above it, in view


def test_the_navigation_says_what_it_holds_on_a_phone(server, phone):
    phone.goto(f"{server.url}/?size=sample")
    settle_phone(phone)
    words = phone.evaluate("""() => getComputedStyle(document.querySelector('[data-testid="stExpandSidebarButton"]'),
                                                     '::after').content""")
    assert words == '"Pages"'


def test_the_canvas_takes_a_touch_stroke(server, phone):
    phone.goto(f"{server.url}/mistakes?size=sample")
    settle_phone(phone)
    canvas = phone.locator("canvas").last
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    x, top = box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.15
    touch = phone.context.new_cdp_session(phone)
    touch.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": top}]})
    for k in range(1, 21):
        touch.send("Input.dispatchTouchEvent", {"type": "touchMove",
                                                "touchPoints": [{"x": x + k, "y": top + k * box["height"] * 0.035}]})
    touch.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    phone.wait_for_function("() => document.body.innerText.includes('5. 20 × 20, centred in 28 × 28')", timeout=60_000)
    settle_phone(phone)
