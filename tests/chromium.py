"""What the Chromium tests share: Debian's browser, an app server of the test's own, and the waits and reads a
test makes on a page (the fixtures that use them are in conftest.py)."""

import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import NamedTuple

import pytest

from bench.servers import free_port  # noqa: F401 - for the tests that start servers of their own

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[1]  # the repository
PAGES = {"": "How a neural network learns", "tensors": "Tensor rank & axes", "normalization": "Normalization",
         "reshape": "Reshape & slicing", "softmax": "Softmax & cross-entropy", "learning": "How it learns",
         "training": "Live training",
         "mistakes": "The model's mistakes", "break": "Break it"}

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


CHART_TEXTS = """() => [...document.querySelectorAll('.js-plotly-plot')].flatMap(p =>
  [(p.layout.title && p.layout.title.text) || ''].concat((p.layout.annotations || []).map(a => a.text)))
  .map(t => t.replace(/<[^>]+>/g, ''))"""  # the theme wraps titles in <b>


def total_of(text: str) -> int:
    return int(re.search(r"of ([\d,]+)", text).group(1).replace(",", ""))


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


def self_check_line(pg) -> str:
    """The sidebar's self-check line."""
    return pg.locator('[data-testid="stSidebar"] [data-testid="stCaptionContainer"]', has_text="Self-check").inner_text()


def answer(pg, box: int, text: str) -> None:
    """Type `text` into the page's `box`-th answer box and press its Check."""
    field = pg.get_by_label("Your answer").nth(box)
    field.fill(text)
    field.press("Enter")  # commits the text; Check then reads it
    pg.locator('[data-testid="stMain"]').get_by_role("button", name="Check").nth(box).click()
    settle(pg)


def draw_a_digit(page) -> None:
    """Draw a stroke on the canvas with the mouse and wait for the prediction."""
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


def trace_digit(page, image, ink: int = 128) -> None:
    """Draw `image` ((28, 28) uint8, e.g. an MNIST digit) on the page's canvas with the mouse: a stroke through its
    ink pixels, nearest next, lifted where the next one is more than two pixels away (so its label is true)."""
    canvas = page.locator("canvas").last
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    scale = box["width"] / 28

    def to_page(p: tuple[int, int]) -> tuple[float, float]:
        return box["x"] + (p[1] + 0.5) * scale, box["y"] + (p[0] + 0.5) * scale

    left = {(int(r), int(c)) for r, c in zip(*(image >= ink).nonzero())}
    at = min(left)  # the top-most ink pixel
    page.mouse.move(*to_page(at))
    page.mouse.down()
    while True:
        left.discard(at)
        if not left:
            break
        near = min(left, key=lambda p: (p[0] - at[0]) ** 2 + (p[1] - at[1]) ** 2)
        if (near[0] - at[0]) ** 2 + (near[1] - at[1]) ** 2 > 4:  # a jump: lift the pen
            page.mouse.up()
            page.mouse.move(*to_page(near))
            page.mouse.down()
        else:
            page.mouse.move(*to_page(near))
        at = near
    page.mouse.up()


def draw_asked_digits(page, mnist, who: int, kept: str, stop_after: int | None = None) -> list[int]:
    """On a digit pad (ui/show/digit_pad.py), draw what it asks for, one digit at a time (the `who`-th MNIST
    validation digit of that class, traced with the mouse), until it asks no more: the digits drawn, in order.
    `kept` is the pad's words once a drawing is in, with {digit}; `stop_after` drawings, it stops."""
    main = '[data-testid="stMain"]'
    drawn = []
    for _ in range(stop_after or 30):
        done = page.locator(main).get_by_text(re.compile(r"Draw a \d|digits are in")).first
        done.wait_for(timeout=60_000)
        asked = re.search(r"Draw a (\d)", page.locator(main).inner_text())
        if asked is None:
            return drawn
        digit = int(asked.group(1))
        send = page.locator(main).get_by_role("button", name=f"Send this {digit}")
        for _attempt in range(3):  # a stroke begun while the pad's fresh canvas still mounts is lost: draw it again
            settle(page)  # the last Send's rerun is over: the pad's fresh canvas is the one drawn on
            trace_digit(page, mnist.x_valid[[i for i, y in enumerate(mnist.y_valid) if y == digit][who]])
            settle(page)  # each lift of the pen sends the picture: the last one's rerun is over
            deadline = time.monotonic() + 10
            while not send.is_enabled() and time.monotonic() < deadline:
                time.sleep(0.2)
            if send.is_enabled():
                break
        else:
            raise AssertionError(f"Send never came on for a {digit}: {page.locator(main).inner_text()[:900]!r}")
        send.click()
        page.locator(main).get_by_text(kept.format(digit=digit)).first.wait_for(timeout=60_000)
        drawn.append(digit)
    if stop_after:
        return drawn
    raise AssertionError(f"the pad kept asking after {drawn}")
