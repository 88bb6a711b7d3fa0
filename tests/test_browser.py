"""The app in Debian's Chromium, driven by Playwright: deep links, live training, clicks and drawing."""

import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import NamedTuple

import pytest

from bench.servers import free_port

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[1]
PAGES = {"": "How a neural network learns", "tensors": "Tensor rank & axes", "normalization": "Normalization",
         "reshape": "Reshape & slicing", "softmax": "Softmax & cross-entropy", "learning": "How it learns",
         "training": "Live training",
         "mistakes": "The model's mistakes", "break": "Break it"}

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")


class Server(NamedTuple):
    url: str
    pid: int


def start_server(folder: Path, *args: str, env: dict | None = None) -> tuple[Server, subprocess.Popen]:
    """A freshly started app server on 127.0.0.1, with an empty download cache; waits for its health check."""
    port = free_port()
    env = {**os.environ, "MNISTCORE_CACHE": str(folder / "cache"), **(env or {})}  # no full MNIST from earlier runs
    log = open(folder / "server.log", "w")  # noqa: SIM115 - the process holds it until it ends
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                             "--server.port", str(port), "--server.address", "127.0.0.1",
                             "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false",
                             "--server.disconnectedSessionTTL", "2", *args],  # a closed tab counts as gone after 2 s
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=1).read() == b"ok":
                return Server(url, proc.pid), proc
        except OSError:
            time.sleep(0.25)
    proc.kill()
    pytest.fail(f"the server did not start; see {folder / 'server.log'}")


def stop_server(proc: subprocess.Popen) -> None:
    """End the server (its worker processes end with it)."""
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A freshly started app server on 127.0.0.1; its first visitor arrives by a deep link."""
    srv, proc = start_server(tmp_path_factory.mktemp("server"))
    yield srv
    stop_server(proc)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 4000})
    pg = context.new_page()
    yield pg
    context.close()


def settle(pg, timeout: float = 120) -> None:
    """Wait until the script has finished (no 'running' badge, text unchanged for 1.5 s); no exception box."""
    pg.wait_for_selector('[data-testid="stSidebar"]', state="attached", timeout=timeout * 1000)  # folded on a phone
    pg.wait_for_selector("h1", timeout=timeout * 1000)
    deadline, stable, last = time.monotonic() + timeout, 0, None
    while time.monotonic() < deadline and stable < 5:
        text = pg.locator('[data-testid="stMain"]').inner_text()
        busy = pg.locator('[data-testid="stStatusWidget"]').count() > 0
        stable = stable + 1 if (text == last and not busy) else 0
        last = text
        time.sleep(0.3)
    assert pg.locator('[data-testid="stException"]').count() == 0, pg.locator('[data-testid="stException"]').first.inner_text()


def start_run(pg, shown: str = "running: step [1-9]", timeout: float = 60) -> None:
    """Press the training page's Start and wait until its progress line matches `shown` (a regular expression)."""
    pg.locator('[data-testid="stMain"]').get_by_role("button", name="Start").click()
    pg.wait_for_function(f"() => /{shown}/.test(document.querySelector('[data-testid=\"stProgress\"]')?.innerText || '')",
                         timeout=timeout * 1000)


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


WEIGHTS_SIGNATURE = """() => {
  const plot = [...document.querySelectorAll('.js-plotly-plot')]
    .find(p => p.data && p.data[0] && p.data[0].type === 'heatmap' && p.data[0].zmid === 0);
  if (!plot) return null;
  const z = plot.calcdata[0][0].z;  // decoded numbers (plot.data holds the base64 the server sent)
  let s = 0;
  for (const row of z) for (const v of row) if (Number.isFinite(v)) s += v * v;
  return s;
}"""


def weights_signature(pg, timeout: float = 20) -> float:
    """Sum of squared template weights on screen; waits out the moment a redraw swaps the chart."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = pg.evaluate(WEIGHTS_SIGNATURE)
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("no weight templates on the page")


def live_weights(pg, timeout: float = 60) -> str:
    """The address of the weights picture the page shows while training (it changes with the picture)."""
    image = pg.locator('[data-testid="stImage"] img').first
    image.wait_for(timeout=timeout * 1000)
    return image.get_attribute("src")


def progress(pg) -> str:
    bars = pg.locator('[data-testid="stProgress"]')
    return bars.first.inner_text() if bars.count() else ""


def step_of(text: str) -> int:
    return int(text.split("step ")[1].split(" of")[0].replace(",", ""))


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


CELL = """() => {
  const last = p => p.data[p.data.length - 1];  // the confusion matrix's invisible click targets come last
  const gd = [...document.querySelectorAll('.js-plotly-plot')].find(p => p.data.length > 2 && last(p).mode === 'markers');
  const d = gd._fullData[gd.data.length - 1], fl = gd._fullLayout;  // _fullData holds decoded arrays
  let best = -1, i = 0;
  for (let k = 0; k < d.x.length; k++) if (d.x[k] !== d.y[k] && d.customdata[k] > best) { best = d.customdata[k]; i = k; }
  const r = gd.getBoundingClientRect();
  return {x: r.left + fl.xaxis._offset + fl.xaxis.l2p(d.x[i]), y: r.top + fl.yaxis._offset + fl.yaxis.l2p(d.y[i]),
          t: d.y[i], p: d.x[i], n: best};
}"""


def pick_worst_cell(pg) -> dict:
    """Click the confusion matrix's largest mistake and wait for the gallery to show only it; the cell's place,
    classes (t, p) and count (n)."""
    cell = pg.evaluate(CELL)
    pg.mouse.click(cell["x"], cell["y"])
    pg.wait_for_function(f"() => document.body.innerText.includes('Only true {cell['t']} predicted as {cell['p']}')",
                         timeout=60_000)
    settle(pg)
    return cell


def test_clicking_a_confusion_cell_filters_the_gallery(server, page):
    page.goto(f"{server.url}/mistakes")
    settle(page)
    main = page.locator('[data-testid="stMain"]')
    assert "Only true" not in main.inner_text()
    cell = pick_worst_cell(page)
    tiles = main.inner_text().count(f"true {cell['t']} → {cell['p']}")
    assert tiles == min(cell["n"], 20)


CHART_TEXTS = """() => [...document.querySelectorAll('.js-plotly-plot')].flatMap(p =>
  [(p.layout.title && p.layout.title.text) || ''].concat((p.layout.annotations || []).map(a => a.text)))
  .map(t => t.replace(/<[^>]+>/g, ''))"""  # the theme wraps titles in <b>


def test_drawing_a_digit_gives_a_prediction(server, page):
    page.goto(f"{server.url}/mistakes")
    settle(page)
    canvas = page.locator("canvas").last
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    x, top = box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.15
    page.mouse.move(x, top)
    page.mouse.down()
    for k in range(1, 21):
        page.mouse.move(x + k, top + k * box["height"] * 0.035)
    page.mouse.up()
    page.wait_for_function("() => document.body.innerText.includes('5. 20 × 20, centred in 28 × 28')", timeout=60_000)
    settle(page)
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


def total_of(text: str) -> int:
    return int(re.search(r"of ([\d,]+)", text).group(1).replace(",", ""))


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


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds used so far by process `pid` and every process below it (its training workers)."""
    parents, times = {}, {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended while we looked
            continue
        child = int(stat.parent.name)
        parents[child], times[child] = int(fields[1]), (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    tree, grew = {pid}, True
    while grew:
        below = {c for c, p in parents.items() if p in tree} - tree
        tree |= below
        grew = bool(below)
    return sum(times.get(p, 0.0) for p in tree)


def cpu_share(pid: int, seconds: float = 2.0) -> float:
    """The server's CPU use, its workers included, over `seconds`, in cores."""
    start = tree_cpu_seconds(pid)
    time.sleep(seconds)
    return (tree_cpu_seconds(pid) - start) / seconds


def test_closing_the_tab_stops_its_run(server, browser):
    context = browser.new_context(viewport={"width": 1400, "height": 2000})
    pg = context.new_page()
    pg.goto(f"{server.url}/training?data=fashion&epochs=50&pace=full")
    settle(pg)
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
