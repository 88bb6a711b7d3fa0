"""A hosted server as the public sees it, through a real HAProxy: the security headers, a policy the browser
enforces, XSRF protection on, no banner; and a SIGTERM that stops the server and its runs within 5 s."""

import os
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from chromium import CHROMIUM, free_port, settle, start_run

from bench.servers import tree
from deploy.serve import HAPROXY, Class, haproxy_config, wait_healthy

pytestmark = pytest.mark.skipif(not Path(HAPROXY).exists() or not Path(CHROMIUM).exists(),
                                reason="haproxy or chromium is not installed (make system)")
VIOLATIONS = """window.__violations = [];
document.addEventListener('securitypolicyviolation', e => window.__violations.push(e.blockedURI + ' ' + e.violatedDirective));"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """One hosted app server (deploy/serve.py's settings) behind HAProxy with the generated configuration."""
    logs = tmp_path_factory.mktemp("site")
    group = Class(free_port(), 1, bind="127.0.0.1", logs=logs).start()
    port = free_port()
    (logs / "haproxy.cfg").write_text(haproxy_config(port, group.backends, "127.0.0.1"))
    proxy = subprocess.Popen([HAPROXY, "-db", "-f", str(logs / "haproxy.cfg")], stdout=open(logs / "haproxy.log", "w"),  # noqa: SIM115
                             stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    assert wait_healthy(url, timeout=20), f"haproxy did not start; see {logs}"
    yield url, group
    proxy.terminate()
    group.stop()


def direct(group) -> str:
    """The app server itself, with no proxy in front: `serve.py --servers 1`, a pod, a laptop's `make run`."""
    return f"http://127.0.0.1:{group.backends[0]}"


@pytest.mark.parametrize("way", ["proxy", "one server"])
def test_every_hosting_sends_the_security_headers_and_no_banner(site, way):
    url, group = site
    url = url if way == "proxy" else direct(group)
    for path in ("/", "/_stcore/health", "/normalization", "/teach", "/_stcore/no-such-thing"):
        try:
            headers = urllib.request.urlopen(url + path, timeout=10).headers
        except urllib.error.HTTPError as e:  # an error page is a page too
            headers = e.headers
        policy = headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'self'" in policy and "img-src 'self' data: blob:" in policy
        assert headers["X-Content-Type-Options"] == "nosniff" and headers["Referrer-Policy"] == "same-origin"
        assert headers["X-Frame-Options"] == "SAMEORIGIN"
        assert "Server" not in headers and "Strict-Transport-Security" not in headers  # no HSTS over plain HTTP
    assert "Strict-Transport-Security" in haproxy_config(8501, [8601], hsts=True)


def test_make_run_starts_the_server_that_sends_them():
    run = next(line for line in (Path(__file__).resolve().parents[2] / "Makefile").read_text().splitlines()
               if line.strip().endswith("--server.port $(PORT)"))
    assert "deploy/app_server.py run app.py" in run


def test_another_site_cannot_frame_the_teach_page(site, browser):  # noqa: F811
    url, group = site
    context = browser.new_context()
    framer = "http://elsewhere.example/"  # another origin, served by the browser itself: no traffic leaves the machine
    for target in (url, direct(group)):
        context.route(framer, lambda route, target=target: route.fulfill(
            content_type="text/html", body=f"<iframe id=f src='{target}/teach' width=800 height=600></iframe>"))
        pg = context.new_page()
        pg.goto(framer)
        pg.wait_for_timeout(1500)
        frame = next(f for f in pg.frames if f is not pg.main_frame)
        assert "Teach a class" not in frame.evaluate("() => document.body ? document.body.innerText : ''")
        assert not frame.url.startswith(target)  # Chromium put its error page there instead (frame-ancestors 'self')
        pg.close()
        context.unroute(framer)
    context.close()


def test_one_server_drops_a_connection_whose_header_never_ends_and_keeps_a_websocket(site, browser):  # noqa: F811
    import select
    import socket

    from deploy.app_server import HEADER_SECONDS
    _, group = site
    slow = [socket.create_connection(("127.0.0.1", group.backends[0])) for _ in range(5)]
    for s in slow[1:]:
        s.sendall(b"GET / HTTP/1.1\r\nHost: class\r\n")  # half a header; the first sends nothing at all
    pg = browser.new_context().new_page()
    pg.goto(f"{direct(group)}/softmax?size=sample")
    settle(pg)
    start, dropped = time.monotonic(), set()
    while len(dropped) < len(slow) and time.monotonic() - start < HEADER_SECONDS + 3:
        ready, _, _ = select.select([s for s in slow if s not in dropped], [], [], 0.5)
        dropped |= {s for s in ready if s.recv(100) == b""}
    assert len(dropped) == len(slow)  # uvicorn alone would have held them for ever
    assert urllib.request.urlopen(f"{direct(group)}/_stcore/health", timeout=5).read() == b"ok"
    pg.locator('[data-testid="stSidebarNav"]').get_by_text("Normalization").click()  # the page's websocket, past the
    settle(pg)                                                                          # deadline, still carries it
    assert "Normalization" in pg.locator('[data-testid="stMain"] h1').first.inner_text()
    for s in slow:
        s.close()
    pg.context.close()


@pytest.mark.parametrize("way", ["proxy", "one server"])
def test_the_browser_enforces_the_policy_and_the_app_still_works(site, browser, way):  # noqa: F811
    url, group = site
    url = url if way == "proxy" else direct(group)
    context = browser.new_context(viewport={"width": 1400, "height": 3000})
    context.add_init_script(VIOLATIONS)
    pg = context.new_page()
    pg.goto(f"{url}/normalization?size=sample")
    settle(pg)
    pg.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length >= 3", timeout=60_000)
    assert pg.evaluate("window.__violations") == []  # the app's own scripts, styles, images and frames all allowed
    blocked = pg.evaluate("""async () => { try { await fetch('http://evil.example/pixel.png'); return 'fetched'; }
                                           catch (e) { return 'blocked'; } }""")
    pg.evaluate("""() => { const i = document.createElement('img'); i.src = 'http://evil.example/p.png';
                           document.body.append(i); }""")
    pg.wait_for_function("() => window.__violations.length >= 2", timeout=10_000)
    assert blocked == "blocked" and all("evil.example" in v for v in pg.evaluate("window.__violations"))
    context.close()


def test_xsrf_protection_is_on(site):
    url, _ = site
    request = urllib.request.Request(url + "/_stcore/upload_file/some-session/some-file", data=b"x" * 10, method="PUT")
    with pytest.raises(urllib.error.HTTPError) as refused:  # an upload without the browser's XSRF token
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 403


def alive(pid: int) -> bool:
    """True while `pid` exists and is not a zombie."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_sigterm_stops_the_server_and_its_runs_within_5_s(tmp_path, browser):  # noqa: F811
    group = Class(free_port(), 1, bind="127.0.0.1", logs=tmp_path).start()
    server = group.apps[0]
    context = browser.new_context()
    pg = context.new_page()
    pg.goto(f"http://127.0.0.1:{group.port}/training?size=sample&epochs=100&pace=full")
    settle(pg)
    start_run(pg, "step [1-9]")
    workers = tree(server.pid) - {server.pid}
    assert workers, "the run's worker process was not found"
    start = time.monotonic()
    os.kill(server.pid, 15)  # what Kubernetes and Docker send
    server.wait(10)
    exited = time.monotonic() - start
    deadline = time.monotonic() + 5
    while any(alive(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    gone = time.monotonic() - start
    context.close()
    group.stop()
    assert exited <= 5, f"the server took {exited:.1f} s to exit"
    assert not any(alive(p) for p in workers) and gone <= 5.5, f"workers still alive {gone:.1f} s after SIGTERM"
