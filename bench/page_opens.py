"""A new student's pages in real Chromium: how long each takes to open and settle, in the browser's own clock,
and how long a slider move takes to show its result."""

import time

NO_SCRIPT = "!document.querySelector('[data-testid=\"stStatusWidget\"]')"  # no script running for this page
IDLE = f"() => {NO_SCRIPT}"


def fresh_page(browser):
    """A page in a browser context of its own: a new student's browser."""
    context = browser.new_context(viewport={"width": 1400, "height": 1600})
    return context, context.new_page()


def wait_title(pg, title: str, timeout: float = 300) -> None:
    """Until the page's heading includes `title`."""
    pg.wait_for_function(f"() => document.querySelector('h1') && document.querySelector('h1').innerText.includes({title!r})",
                         timeout=timeout * 1000)


def open_by_sidebar(pg, title: str) -> None:
    """Click the page named `title` in the sidebar's navigation."""
    pg.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()


def exception_boxes(pages) -> int:
    """Traceback boxes on all pages now."""
    return sum(pg.locator('[data-testid="stException"]').count() for pg in pages)


SETTLED = f"() => document.querySelectorAll('[data-testid=\"stPlotlyChart\"]').length >= 3 && {NO_SCRIPT}"  # script ended
DRAWN = "() => document.querySelectorAll('.js-plotly-plot').length >= 3"  # and Plotly has drawn the charts


def late_student(browser, url: str) -> dict[str, float]:
    """A new student: seconds until the softmax page has settled (its script finished, its charts placed) and
    is drawn, twice: opened by a link in a fresh browser (which first loads the app's JavaScript and
    plotly.js: seconds of browser CPU on a small machine), and by a click from the start page already open."""
    context, pg = fresh_page(browser)
    start = time.perf_counter()
    pg.goto(f"{url}/softmax?data=fashion", wait_until="commit")
    pg.wait_for_function(SETTLED, timeout=300_000)
    out = {"link_settled": time.perf_counter() - start}
    pg.wait_for_function(DRAWN, timeout=300_000)
    out["link_drawn"] = time.perf_counter() - start
    pg.goto(f"{url}/?data=fashion")
    pg.wait_for_selector("h1", timeout=300_000)
    pg.wait_for_function(IDLE, timeout=300_000)
    start = time.perf_counter()
    open_by_sidebar(pg, "Softmax & cross-entropy")
    pg.wait_for_function(SETTLED, timeout=300_000)
    out["click_settled"] = time.perf_counter() - start
    pg.wait_for_function(DRAWN, timeout=300_000)
    out["click_drawn"] = time.perf_counter() - start
    boxes = exception_boxes([pg])
    context.close()
    assert boxes == 0, "the late student's page showed a traceback"
    return out


FIRST_OPENS = {"Tensor rank & axes": "tensors", "Normalization": "normalization", "How it learns": "learning"}
QUIET_MS = 500  # a page has settled when its script has finished and the browser has neither changed the page
# nor run a long task (50 ms or more) for this long
QUIET_WATCH = """(() => { const m = window.__quiet = {last: 0, down: null};
  new MutationObserver(() => { m.last = performance.now(); })
    .observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
  new PerformanceObserver(list => { for (const e of list.getEntries()) m.last = Math.max(m.last, e.startTime + e.duration); })
    .observe({type: "longtask", buffered: true});
  document.addEventListener("pointerdown", () => { m.down = performance.now(); }, true); })()"""
QUIET = f"() => {NO_SCRIPT} && window.__quiet && performance.now() - window.__quiet.last > {QUIET_MS}"


def watched_page(browser):
    """A page in a new browser context that keeps, in its own clock, its last change or long task and its last
    pointer press (`QUIET_WATCH`)."""
    context, pg = fresh_page(browser)
    context.add_init_script(QUIET_WATCH)
    return context, pg


def settled(pg, title: str, timeout: float = 300) -> float:
    """Wait until the page shows `title` and has settled (`QUIET`); return the seconds from the last pointer press
    (or from the navigation, for a page opened by its address) to the page's last change or long task: the
    browser's whole work for it, in its own clock, not the benchmark's waits."""
    wait_title(pg, title, timeout)
    pg.wait_for_function(QUIET, timeout=timeout * 1000, polling=100)
    quiet = pg.evaluate("window.__quiet")
    return (quiet["last"] - (quiet["down"] or 0)) / 1000


def wait_idle(pg, title: str, timeout: float = 300) -> None:
    """Until the page shows `title` and its script has stayed finished for 0.3 s (a rerun may follow a first run)."""
    wait_title(pg, title, timeout)
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        pg.wait_for_function(IDLE, timeout=timeout * 1000)
        time.sleep(0.3)
        if pg.evaluate(IDLE):
            return
    raise TimeoutError(f"{title} never settled")


def pages_and_slider(browser, url: str, moves: int = 5) -> dict[str, list[float]]:
    """A new student: seconds until the start page, opened by its address, has settled, then each of
    FIRST_OPENS' pages, clicked in the sidebar once the page before it has settled (its first visit in this
    session; the server has served it before), each from the press to the page's last change (`settled`);
    then seconds from each press of the right arrow on the ReLU-units slider until the chart shows the new
    number of units."""
    context, pg = watched_page(browser)
    pg.goto(f"{url}/?data=fashion")
    out: dict[str, list[float]] = {"start page": [settled(pg, "How a neural network learns")]}
    for title in FIRST_OPENS:
        open_by_sidebar(pg, title)
        out.setdefault("first opens", []).append(settled(pg, title))
    slider = pg.locator('[data-testid="stSlider"]', has_text="Hidden units n").locator("input[type=range]")
    slider.scroll_into_view_if_needed()
    for _ in range(moves):
        n = int(slider.input_value()) + 1
        start = time.perf_counter()
        slider.focus()
        slider.press("ArrowRight")
        pg.wait_for_function(f"() => [...document.querySelectorAll('.js-plotly-plot .gtitle')].some(t => "
                             f"t.textContent.startsWith('{n} ReLU pieces'))", timeout=300_000)
        out.setdefault("slider moves", []).append(time.perf_counter() - start)
    boxes = exception_boxes([pg])
    context.close()
    assert boxes == 0, "the new student's pages showed a traceback"
    return out


def warm(browser, url: str) -> None:
    """Visit every page the measurements open once, to its end: a warmed server, as a class meets it after the
    teacher's own walk through the lesson (docs/teaching.md), with what the pages compute once per server done."""
    context, pg = fresh_page(browser)
    pg.goto(f"{url}/?data=fashion")
    wait_idle(pg, "How a neural network learns")
    for title in [*FIRST_OPENS, "Softmax & cross-entropy", "The model's mistakes"]:
        open_by_sidebar(pg, title)
        wait_idle(pg, title)
    context.close()
