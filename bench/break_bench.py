"""The Break it page in real Chromium on full MNIST (`python -m bench --break`): how long a switch move takes to show
its new accuracy, and how long a new student's first open of the page takes (from the start page, a click in the
sidebar, as bench/page_opens.py measures the others), each beside a baseline measured in the same run on the same
server: a slider of the softmax page (ten sliders and two charts, no model), and the first open of the mistakes page
(the lesson's model on every validation image, a confusion matrix and a gallery).

The server is warmed first, as a class meets it after the teacher's walk through the lesson: what the pages compute
once per server (the lesson's model, the Break it curves) is done. Chromium runs on the same cores as the server.
"""

import os
import statistics
import time

from bench import class_bench, report
from bench.page_opens import open_by_sidebar, settled, watched_page
from bench.servers import CHROMIUM, start_app

MOVES = 6  # switch moves, alternately right and left
OPENS = 3  # first opens, each in a new browser context
MAIN = '[data-testid="stMain"]'
CURVES_DRAWN = ("() => [...document.querySelectorAll('.js-plotly-plot .gtitle')].some(t => t.textContent.startsWith("
                "'Hidden square:'))")  # the last row of the switch charts: all nine drawn
CHARTS_DRAWN = "() => document.querySelectorAll('.js-plotly-plot').length >= 2"  # the mistakes page's confusion and bars


def metric_value(label: str) -> str:
    """JavaScript: the value of the metric whose label starts with `label` (null while there is none)."""
    return (f"() => {{ const m = [...document.querySelectorAll('[data-testid=\"stMetric\"]')].find(e => "
            f"e.innerText.startsWith({label!r})); return m ? m.querySelector('[data-testid=\"stMetricValue\"]')"
            f".innerText : null; }}")


def moves(pg, slider: str, metric: str, n: int = MOVES) -> list[float]:
    """Seconds from each key press on the slider named `slider` until the metric labelled `metric` shows a new value."""
    thumb = pg.locator(MAIN).get_by_role("slider", name=slider).first
    thumb.scroll_into_view_if_needed()
    seen = []
    for i in range(n):
        before = pg.evaluate(metric_value(metric))
        thumb.focus()
        start = time.perf_counter()
        thumb.press("ArrowRight" if i % 2 == 0 else "ArrowLeft")
        pg.wait_for_function(f"() => ({metric_value(metric)})() !== {before!r}", timeout=60_000)
        seen.append(time.perf_counter() - start)
        time.sleep(0.5)  # the rerun's last messages, before the next press
    return seen


def first_open(browser, url: str, title: str, ready: str) -> tuple[float, float]:
    """A new student, on the start page, clicks the page named `title` in the sidebar (its first visit in this session;
    the server has served it before): seconds until `ready` (JavaScript) holds, and the browser's own seconds from the
    click to the page's last change (`settled`). As bench/page_opens.py measures the other pages' first opens."""
    context, pg = watched_page(browser)
    pg.goto(f"{url}/")
    settled(pg, "How a neural network learns")
    start = time.perf_counter()
    open_by_sidebar(pg, title)
    pg.wait_for_function(ready, timeout=300_000, polling=50)
    shown = time.perf_counter() - start
    quiet = settled(pg, title)
    boxes = pg.locator('[data-testid="stException"]').count()
    context.close()
    assert boxes == 0, f"{title} showed a traceback"
    return shown, quiet


def warm(browser, url: str) -> None:
    """Open each measured page once, to its end: the lesson's model and the Break it curves are computed."""
    context, pg = watched_page(browser)
    for path, title, ready in (("break", "Break it", CURVES_DRAWN), ("mistakes", "The model's mistakes", "() => true"),
                               ("softmax", "Softmax", "() => true")):
        pg.goto(f"{url}/{path}")
        pg.wait_for_function(ready, timeout=600_000)
        settled(pg, title, timeout=600)
    context.close()


def run(students: int = 0, pace: str = "slow") -> list[bool]:
    """Measure on a fresh server, with `students` other sessions training meanwhile (at `pace`, on Fashion-MNIST, as
    bench/class_bench.py's class does); print each figure beside its baseline, and check the targets (1 s, 3 s)."""
    from playwright.sync_api import sync_playwright
    print(f"  one server on full MNIST; Chromium on the same {os.cpu_count()} cores; load average before: "
          f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    with sync_playwright() as p, start_app() as launch:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        started = time.perf_counter()
        warm(browser, launch.url)
        print(f"  warmed in {time.perf_counter() - started:.1f} s (the lesson's model, the curves, three pages)", flush=True)
        if students:  # the class trains through every measurement below (its runs last minutes: EPOCHS)
            class_contexts, _ = class_bench.open_training(browser, launch.url, students, pace)
            print(f"  {students} other sessions training ({pace} pace) in Chromium, on the same cores", flush=True)
        opens = {path: [first_open(browser, launch.url, title, ready) for _ in range(OPENS)]
                 for path, title, ready in (("break", "Break it", CURVES_DRAWN),
                                            ("mistakes", "The model's mistakes", CHARTS_DRAWN))}
        context, pg = watched_page(browser)
        pg.goto(f"{launch.url}/break")
        settled(pg, "Break it")
        ours = moves(pg, "Shift right", "accuracy now")
        pg.goto(f"{launch.url}/softmax")
        settled(pg, "Softmax")
        baseline = moves(pg, "3", "negative log-likelihood")  # the true class's score: the loss changes
        context.close()
        for c in class_contexts if students else []:
            c.close()
        browser.close()
        tracebacks = launch.tracebacks()
    for path, rows in opens.items():
        print(f"      first open of {path} (a click in the sidebar): drawn {', '.join(f'{s:.2f}' for s, _ in rows)} s; settled "
              f"in the browser "
              f"{', '.join(f'{q:.2f}' for _, q in rows)} s", flush=True)
    ours_open, base_open = (max(q for _, q in opens[p]) for p in ("break", "mistakes"))
    print(f"      a switch move to its accuracy: {', '.join(f'{s:.2f}' for s in ours)} s (median "
          f"{statistics.median(ours):.2f}); the softmax slider (baseline): {', '.join(f'{s:.2f}' for s in baseline)} s "
          f"(median {statistics.median(baseline):.2f}): {statistics.median(ours) / statistics.median(baseline):.2f}x its time",
          flush=True)
    print(f"      first open, slowest settled: Break it {ours_open:.2f} s, the mistakes page (baseline) {base_open:.2f} s: "
          f"{ours_open / base_open:.2f}x its time", flush=True)
    print(f"      server tracebacks: {tracebacks}; load average after: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    load = f", {students} sessions training" if students else ""
    return [report(f"Break it: a switch move, slowest of 6{load}", max(ours), 1.0, "the 1 s budget", 1.0),
            report(f"Break it: a new student's first open, slowest of 3{load}", ours_open, 3.0, "the 3 s budget", 1.0),
            tracebacks == 0]
