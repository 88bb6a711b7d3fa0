"""A class in one room (`make bench ARGS="--class 20 --room"`): N real Chromium students join a teacher's room,
take the pushed task (SGD on the quick sample, full speed), and train and post runs again and again, while the
class board is open on the projector, a Chromium of its own.

Measured in one run: the time from a run's end (its student's page shows "done") to its row on the board, first
with half the class training and then all of it; the health endpoint's latency in both phases, and for its slow
answers whether the server was working or waiting for a CPU; the server's and the browser's CPU per look of the
board when nothing changed, and per redraw when a run lands; the memory of the server and its workers; tracebacks.
Only 127.0.0.1 is contacted, every loop has a deadline, and the browsers share the server's cores (see BROWSER_NICE
and the projector): their work is part of every figure.
"""

import contextlib
import os
import shutil
import statistics
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError

from bench.health import Health
from bench.page_opens import exception_boxes, settled, watched_page
from bench.room_steps import join, open_room, push_task, runs_posted, start_fresh, use_task
from bench.servers import CHROMIUM, Launch, browser_cpu_seconds, cpu_seconds, free_port, pss_mib, renice_browser, start_app
from mnistcore.classroom.board import REFRESH
from mnistcore.classroom.store import open_store

# The students' and the projector's browsers stand for machines of their own. The students' 21 renderers run in one
# Chromium below the server (and above the runs, at nice 10). Level with it (--browser-nice 0), they left the server's
# threads ready but waiting for a CPU: in the health answers over 100 ms they ran 0.81 s and waited 12.0 s
# (2026-12-06, printed under each phase). A hosted server never shares its cores with the class's browsers, and
# Kubernetes reserves its CPU by its request (deploy/k8s), which is what the lower niceness stands for here.
BROWSER_NICE = 5
# The projector is one machine too: its board runs in a Chromium of its own, in a session of its own, level with the
# server. Linux shares the CPU between sessions first (autogroup), so it gets a share like the server's. In the
# students' Chromium, its renderer one of 22 in a group at nice 5, rows missed the 3 s target in two runs of four
# (3.36 s, 3.76 s) though each was in the database within 0.2 s of its run's end; on its own, 1.15-1.90 s (four runs).
ROUNDS = 2  # runs each training student starts in a phase
THINK = 5.0  # seconds a student looks at a finished run before the next: a class does not restart in a loop
QUIET = 10.0  # seconds of the board alone, to price its looks
PROGRESS = "() => document.querySelector('[data-testid=\"stProgress\"]')?.innerText || ''"
DONE = f"() => /done: step/.test(({PROGRESS})())"
# The board's count of posted runs, with the wall clock, at every change (wall clock: the students' pages are
# other contexts, whose performance.now() starts elsewhere).
RECORD = """() => {
  window.__rows = [];
  const read = () => { const m = document.querySelectorAll('[data-testid="stMetric"]')[2];
                       const n = m ? parseInt(m.innerText.match(/\\d+/g).pop()) : NaN;
                       const last = window.__rows[window.__rows.length - 1];
                       if (!Number.isNaN(n) && (!last || last[1] !== n)) window.__rows.push([Date.now(), n]); };
  read();
  new MutationObserver(read).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


# A pushed task's words in a student's room box, with the wall clock when they first showed (as RECORD).
TASK_SEEN = """(text) => {
  window.__task = null;
  const read = () => { if (window.__task === null &&
                           document.querySelector('[data-testid="stSidebar"]')?.innerText.includes(text))
                         window.__task = Date.now(); };
  new MutationObserver(read).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


def task_reach(teacher, students: list, text: str, timeout: float = 30) -> list[float | None]:
    """The teacher pushes a task worded `text`: seconds from the press to its words in each student's room box
    (None: not there within `timeout`). The students' pages poll their room (ui/room/seat.py's POLL)."""
    for pg in students:
        pg.evaluate(TASK_SEEN, text)
    teacher.get_by_label("Instruction", exact=True).fill(text)
    pressed = time.time()
    teacher.get_by_role("button", name="Push to every student").click()
    deadline, seen = time.monotonic() + timeout, [None] * len(students)
    while time.monotonic() < deadline and None in seen:
        for i, pg in enumerate(students):
            if seen[i] is None and (at := pg.evaluate("() => window.__task")) is not None:
                seen[i] = at / 1000 - pressed
        time.sleep(0.1)
    return seen


def train_rounds(students: list, rounds: int, timeout: float = 600) -> tuple[int, int]:
    """Each student starts `rounds` runs, looking at each finished one for THINK seconds before the next: how many
    runs were started, and how many times a page did not answer a click within two minutes (its screenshot is
    kept in /tmp)."""
    started, stuck, running, resting = {id(pg): 0 for pg in students}, 0, set(), {}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and (running or resting or any(n < rounds for n in started.values())):
        for i, pg in enumerate(students):
            key = id(pg)
            if key in running and pg.evaluate(DONE):
                running.discard(key)
                if started[key] < rounds:  # another run to come, after a look at this one
                    resting[key] = time.monotonic() + THINK
            if key in running or started[key] >= rounds or resting.get(key, 0) > time.monotonic():
                continue
            resting.pop(key, None)
            try:
                start_fresh(pg, timeout=120)
                pg.wait_for_function(f"() => !({DONE.removeprefix('() => ')})", timeout=60_000)
            except PlaywrightError:
                stuck += 1
                pg.screenshot(path=f"/tmp/room-bench-stuck-{i + 1}.png", full_page=True)
            started[key] += 1
            running.add(key)
        time.sleep(0.05)
    for i, pg in enumerate(students):
        if id(pg) in running:
            print(f"    student {i + 1} not done at the deadline: {pg.evaluate(PROGRESS)!r}", flush=True)
    return sum(started.values()), stuck


def board_latencies(board, runs: list, before: int) -> list[tuple[float, float] | None]:
    """For each run, seconds from its end on its server (`Run.ended`) to its row in the database (`Run.posted`),
    and from there to the board counting it: the k-th new row, in the order they were posted, against the
    board's first count of `before` + k."""
    rows = board.evaluate("() => window.__rows")
    out = []
    for k, run in enumerate(runs, start=1):
        shown = next((t / 1000 for t, n in rows if n >= before + k), None)
        out.append(None if shown is None or run.ended is None else (run.posted - run.ended, shown - run.posted))
    return out


def board_cpu(launch: Launch, seconds: float) -> tuple[float, float]:
    """Server and browser CPU seconds over `seconds` (the board alone is open)."""
    server, browser = sum(cpu_seconds(p) for p in launch.server_pids), browser_cpu_seconds()
    time.sleep(seconds)
    return sum(cpu_seconds(p) for p in launch.server_pids) - server, browser_cpu_seconds() - browser


def phase(board, students: list, store, code: str) -> dict:
    """One phase: these students train ROUNDS runs each; each new row's wait for the board."""
    board.evaluate(RECORD)
    seen = {r.id for r in store.runs(code)}
    before, t0 = runs_posted(board), time.perf_counter()
    started, stuck = train_rounds(students, ROUNDS)
    time.sleep(6)  # the last rows land
    t1 = time.perf_counter()
    new = [r for r in store.runs(code) if r.id not in seen]
    print(f"    {len(students)} training: {started} runs started, {len(new)} posted, in {t1 - t0:.0f} s", flush=True)
    return {"training": len(students), "runs": started, "latency": board_latencies(board, new, before),
            "window": (t0, t1), "posted": len(new), "stuck": stuck}


@contextlib.contextmanager
def projector(playwright, timeout: float = 60):
    """The projector's browser: a Chromium started in a session of its own (see above), driven over its DevTools
    port on 127.0.0.1."""
    port, profile = free_port(), tempfile.mkdtemp(prefix="mnist-projector-")
    proc = subprocess.Popen([CHROMIUM, "--headless", "--no-sandbox", "--no-first-run", f"--user-data-dir={profile}",
                             "--remote-debugging-address=127.0.0.1", f"--remote-debugging-port={port}", "about:blank"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/json/version", timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("the projector's Chromium did not start") from None
                time.sleep(0.2)
        browser = playwright.chromium.connect_over_cdp(f"http://127.0.0.1:{port}")
        yield browser
        browser.close()
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(profile, ignore_errors=True)


def measure(browser, board_browser, launch: Launch, n: int, db: str) -> dict:
    """The whole class on one launch: the teacher and students in `browser`, the board in `board_browser`."""
    context = browser.new_context(viewport={"width": 1400, "height": 1600})
    teacher = context.new_page()
    code, link = open_room(teacher, launch.url)
    push_task(teacher, "SGD on the quick sample: everyone trains, and we compare on the board")
    students, t0 = [], time.perf_counter()
    for i in range(n):
        pg = browser.new_context(viewport={"width": 1400, "height": 1600}).new_page()
        join(pg, link, f"student {i + 1}", timeout=120)
        use_task(pg, timeout=120)
        students.append(pg)
    print(f"    {n} students joined and took the task in {time.perf_counter() - t0:.0f} s", flush=True)
    reach = task_reach(teacher, students, "A second task: try Adam, and compare it with SGD on the board")
    print(f"    a second task pushed: in every student's room box within {fmt(reach)}", flush=True)
    _, board = watched_page(board_browser)
    board.goto(f"{launch.url}/board?class={code}")
    opened = settled(board, "Class board")  # open, not still opening: the runs start on a board at rest
    print(f"    the board opened and settled in {opened:.1f} s", flush=True)
    health = Health(launch.url, launch.server_pids).start()
    store = open_store(db)
    phases = [phase(board, students[: max(1, n // 2)], store, code), phase(board, students, store, code)]
    boxes = exception_boxes(students + [board])
    memory = sum(pss_mib(pid) for pid in launch.all_pids())
    health.stop()
    for ph in phases:
        ph["health"], ph["slow"] = health.percentiles(*ph["window"]), health.slow(*ph["window"])
    for pg in students + [teacher]:
        pg.context.close()
    time.sleep(3)  # the closed sessions' last polls end
    looks = board_cpu(launch, QUIET)
    member = store.members(code)[0].id
    server, browser_cpu = sum(cpu_seconds(p) for p in launch.server_pids), browser_cpu_seconds()
    redraws = 5
    for k in range(redraws):  # a change the board must show: a name hidden, then shown again
        store.hide(code, member, hidden=k % 2 == 0)
        time.sleep(3)
    changed = (sum(cpu_seconds(p) for p in launch.server_pids) - server, browser_cpu_seconds() - browser_cpu)
    board.context.close()
    time.sleep(2)
    idle = board_cpu(launch, QUIET)  # nobody's page open: what the server and the browser spend anyway
    per_look = tuple((x - i) / (QUIET / REFRESH) for x, i in zip(looks, idle))  # a look every REFRESH s
    changing = 3.0 * redraws  # seconds the changes took
    per_redraw = tuple((c - i * changing / QUIET - pl * changing / REFRESH) / redraws
                       for c, i, pl in zip(changed, idle, per_look))
    return {"n": n, "phases": phases, "boxes": boxes, "pss_mib": memory, "per_look": per_look, "per_redraw": per_redraw,
            "reach": reach}


def waits(latency: list[tuple[float, float] | None]) -> list[float | None]:
    """Each row's whole wait: its run's end to the board."""
    return [None if parts is None else sum(parts) for parts in latency]


def fmt(values: list[float | None]) -> str:
    """max / median of latencies, with how many never came."""
    got = [v for v in values if v is not None]
    text = f"max {max(got):.2f} s, median {statistics.median(got):.2f} s" if got else "none seen"
    return text + (f", {len(values) - len(got)} not seen" if len(got) < len(values) else "")


def split(latency: list[tuple[float, float] | None]) -> str:
    """Where the waits went: the run's end to its row in the database, and the row to the board."""
    got = [parts for parts in latency if parts is not None]
    if not got:
        return ""
    posting, showing = zip(*got)
    return (f" (end -> in the database: max {max(posting):.2f} s, median {statistics.median(posting):.2f} s; "
            f"database -> board: max {max(showing):.2f} s, median {statistics.median(showing):.2f} s)")


def late(slow: tuple[int, float, float, float]) -> str:
    """The health answers over 100 ms, and whether the server was working or waiting for a CPU meanwhile."""
    count, seconds, ran, waited = slow
    if not count:
        return "no health answer took over 100 ms"
    return (f"{count} health answers took over 100 ms ({seconds:.1f} s in all); meanwhile the server's threads ran "
            f"{ran:.2f} s on a CPU and stood ready, waiting for one, {waited:.2f} s")


@contextlib.contextmanager
def class_store(kind: str):
    """The class's database for one measurement: a SQLite file, or a throwaway PostgreSQL on 127.0.0.1 (as the
    tests start one: tests/pg_server.py)."""
    if kind == "sqlite":
        yield str(Path(tempfile.mkdtemp(prefix="mnist-room-")) / "class.db")
        return
    from tests.pg_server import Postgres
    db = Postgres()
    try:
        yield db.url
    finally:
        db.close()


def run(n: int, servers: int = 1, browser_nice: int = 5, store: str = "sqlite") -> list[bool]:
    """Measure a class of `n` in one room, its store `store` ("sqlite" or "postgresql"); print the figures and check
    the targets.

    `browser_nice` (default BROWSER_NICE) runs Chromium below the server's priority, still on its cores; 0 runs
    the 22 browsers level with the server, a stress test that no class meets (see BROWSER_NICE).
    """
    from playwright.sync_api import sync_playwright
    print(f"  {n} students and a board on {servers} server(s), the class's store in {store}; Chromium runs on the same "
          f"{os.cpu_count()} cores", flush=True)
    with sync_playwright() as p, class_store(store) as db:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        if browser_nice:
            renice_browser(browser_nice)  # before the projector's starts: only the students' Chromium
            print(f"  the students' Chromium runs at nice {browser_nice}, below the server (nice 0) and above the runs "
                  "(nice 10); the board's, a Chromium of its own, level with the server")
        else:
            print("  the students' Chromium runs level with the server (nice 0): a stress test, not a class (see "
                  "BROWSER_NICE); the board's, a Chromium of its own, level with it too")
        with projector(p) as board_browser, \
                start_app(servers, env={"MNISTCORE_DB": db, "MNISTCORE_HOSTED": "0"}) as launch:
            r = measure(browser, board_browser, launch, n, db)
            tracebacks = launch.tracebacks()
        browser.close()
    for ph in r["phases"]:
        print(f"  {ph['training']} of {n} training: {ph['runs']} runs started, {ph['posted']} rows posted; run's end -> "
              f"its row on the board {fmt(waits(ph['latency']))}{split(ph['latency'])}; health p50 {ph['health'][0]:.0f} ms, p95 "
              f"{ph['health'][1]:.0f} ms, max {ph['health'][2]:.0f} ms", flush=True)
        print(f"    {late(ph['slow'])}", flush=True)
    print("  (a run's end: when its result came in on the server; its row: when the board's count showed it)")
    print(f"  the board alone, beyond an idle server and browser: server {1000 * r['per_look'][0]:.1f} ms CPU per look "
          f"(every {REFRESH:g} s, nothing changed), browser "
          f"{1000 * r['per_look'][1]:.1f} ms; per redraw after a change: server {1000 * r['per_redraw'][0]:.0f} ms, "
          f"browser {1000 * r['per_redraw'][1]:.0f} ms", flush=True)
    print(f"  server + workers {r['pss_mib']:,.0f} MiB PSS; traceback boxes {r['boxes']}; server tracebacks {tracebacks}")
    half, whole = r["phases"]
    latencies = [v for ph in r["phases"] for v in waits(ph["latency"])]
    checks = {
        f"a pushed task is in all {n} students' room boxes within 3 s": None not in r["reach"] and max(r["reach"]) <= 3.0,
        "every run's row is on the board within 3 s of its end": None not in latencies and max(latencies) <= 3.0,
        "every run started is posted, once": all(ph["posted"] == ph["runs"] for ph in r["phases"]),
        "every student's page answered its clicks": all(ph["stuck"] == 0 for ph in r["phases"]),
        f"health p95 <= 100 ms with {half['training']} students training": half["health"][1] <= 100,
        "no traceback boxes or server tracebacks": r["boxes"] == 0 and tracebacks == 0,
        "server + workers <= 3 GB PSS": r["pss_mib"] <= 3 * 1024,
    }
    print(f"  (with all {n} training, health p95 {whole['health'][1]:.0f} ms: measured, not held to the target)")
    for name, ok in checks.items():
        print(f"{'PASS' if ok else 'FAIL'}  {name}", flush=True)
    return list(checks.values())
