"""Host the app for a class on one machine: K Streamlit servers behind HAProxy on one port.

    python deploy/serve.py [--port 8501] [--servers K] [--bind 0.0.0.0]     (or: make serve ARGS=...)

Each server is a plain `streamlit run app.py` on a local port with the hosting settings (no folder
box, no error details, the same cookie secret); HAProxy (Debian's package) sends each browser to
one server by a cookie, for every request and the websocket, checks /_stcore/health every second
and takes a failing server out of rotation. A server that exits is started again. Each server
owns the training workers it starts. With K = 1 there is no proxy: the one server takes the port.
"""

import argparse
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script (make serve), the repository's packages are found too
from deploy import headers  # noqa: E402

HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"
# What a hosted server must not do that a teacher's laptop may: browse the server's disk from the
# sidebar, or show tracebacks (with the server's paths) in the page.
HOSTING_FLAGS = ("--client.showErrorDetails", "none", "--server.headless", "true",
                 "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none")
HOSTING_ENV = {"MNISTCORE_FOLDER_BOX": "0", "MNISTCORE_HOSTED": "1"}  # no disk browsing; rooms need a password
# A server that exits soon after it started (a broken install, a port taken) is started again after 1, 2, 4 ...
# up to 60 s, not every second: each start imports torch and Streamlit, seconds of CPU the class needs.
STAYED_UP = 60.0  # seconds after which an exit counts as a new failure, not another of a series
MAX_DELAY = 60.0


def restart_delay(quick_exits: int) -> float:
    """Seconds to wait before starting a server again after `quick_exits` exits in a row soon after starting."""
    return 0.0 if quick_exits == 0 else min(MAX_DELAY, 2.0 ** (quick_exits - 1))


@dataclass(frozen=True)
class ProxyLimits:
    """What HAProxy lets one client hold, against clients that open connections and then send slowly or nothing."""

    maxconn: int = 4096  # connections held at once, all clients together (each costs HAProxy two file descriptors)
    per_source: int = 500  # open connections from one address: a class behind one NAT opens a few per student's tab
    request: int = 10  # s: a request's headers must all have arrived within this (a slowloris is dropped after it)
    idle: int = 60  # s: a client or app server that sends nothing for this long mid-request is dropped
    keep_alive: int = 10  # s: an idle connection waits this long for its next request
    tunnel: int = 3600  # s: a websocket's silence (Streamlit's pings keep a live one from ever reaching it)


def haproxy_config(port: int, backends: list[int], bind: str = "0.0.0.0", hsts: bool = False,
                   limits: ProxyLimits = ProxyLimits()) -> str:
    """HAProxy's configuration: one frontend with the security headers and the limits on slow clients, cookie
    stickiness, health checks, failover."""
    servers = "\n".join(f"    server s{i} 127.0.0.1:{p} check cookie s{i}" for i, p in enumerate(backends, 1))
    return f"""global
    maxconn {limits.maxconn}

defaults
    mode http
    timeout connect 5s
    timeout http-request {limits.request}s  # the whole header, however slowly it trickles in
    timeout http-keep-alive {limits.keep_alive}s
    timeout client {limits.idle}s
    timeout server {limits.idle}s
    timeout tunnel {limits.tunnel}s  # a student's websocket, once upgraded: the whole lesson

frontend class
    bind {bind}:{port}
    # Open connections per client address: one address cannot take every place a class needs.
    stick-table type ipv6 size 100k expire 60s store conn_cur
    tcp-request connection track-sc0 src
    tcp-request connection reject if {{ sc0_conn_cur gt {limits.per_source} }}
    # The app servers see each browser's own address (uvicorn trusts this header from 127.0.0.1 only, and takes the
    # address HAProxy appends, not one a client wrote): guesses are counted per address (ui/room/rooms.py).
    option forwardfor
{headers.haproxy_lines(hsts)}
    default_backend app

backend app
    balance leastconn
    # The cookie names the server; the websocket handshake carries it too, so a student's page,
    # uploads and media all reach the server that holds the session.
    cookie MNISTSERVER insert indirect nocache httponly
    retries 2
    option redispatch 1  # the cookie's server refuses: retry on another at once (the student starts a new session)
    option httpchk GET /_stcore/health
    http-check expect string ok
    default-server inter 1s fall 2 rise 2
{servers}
"""


def app_command(port: int, address: str = "127.0.0.1") -> list[str]:
    """The command line of one app server (its cookie secret comes from the environment: Streamlit refuses it as a flag)."""
    return [sys.executable, str(ROOT / "deploy" / "app_server.py"), "run", "app.py", "--server.port", str(port),
            "--server.address", address, *HOSTING_FLAGS]


def wait_healthy(url: str, timeout: float = 60) -> bool:
    """True once `url`/_stcore/health answers ok."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=1).read() == b"ok":
                return True
        except OSError:
            time.sleep(0.2)
    return False


class Class:
    """K app servers and, for K > 1, HAProxy in front; `stop()` ends them all."""

    def __init__(self, port: int, servers: int, bind: str = "0.0.0.0", backends: list[int] | None = None,
                 logs: Path | None = None, env: dict | None = None, hsts: bool = False):
        """Plan the processes (the servers on `backends`, default port + 101...); nothing starts until `start()`."""
        self.port, self.k, self.bind, self.hsts = port, servers, bind, hsts
        self.backends = [port] if servers == 1 else (backends or [port + 101 + i for i in range(servers)])
        self.logs = logs or Path(tempfile.mkdtemp(prefix="mnist-class-"))
        # One cookie secret for all servers: a session's cookies stay valid on whichever server answers.
        self.env = {**os.environ, **HOSTING_ENV, "STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_hex(32),
                    "MNISTCORE_SERVERS": str(servers), **(env or {})}  # each server counts on its share of the cores
        self.apps: list[subprocess.Popen | None] = [None] * len(self.backends)
        self.started = [0.0] * len(self.backends)  # when each server was last started (monotonic)
        self.proxy: subprocess.Popen | None = None

    def start_app(self, i: int) -> subprocess.Popen:
        """Start (or restart) app server `i`."""
        log = open(self.logs / f"server-{i + 1}.log", "a")  # noqa: SIM115 - the child holds it
        address = self.bind if self.k == 1 else "127.0.0.1"
        self.apps[i] = subprocess.Popen(app_command(self.backends[i], address), cwd=ROOT, env=self.env,
                                        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.started[i] = time.monotonic()
        return self.apps[i]

    def start(self) -> "Class":
        """Start every server, wait for their health, then the proxy."""
        if self.k > 1 and not Path(HAPROXY).exists():
            raise RuntimeError("haproxy is not installed: sudo apt-get install haproxy (or: make system)")
        for i in range(len(self.backends)):
            self.start_app(i)
        for p in self.backends:
            if not wait_healthy(f"http://127.0.0.1:{p}"):
                self.stop()
                raise RuntimeError(f"the app server on port {p} did not start; see {self.logs}")
        if self.k > 1:
            config = self.logs / "haproxy.cfg"
            config.write_text(haproxy_config(self.port, self.backends, self.bind, self.hsts))
            log = open(self.logs / "haproxy.log", "a")  # noqa: SIM115
            self.proxy = subprocess.Popen([HAPROXY, "-db", "-f", str(config)], stdout=log, stderr=subprocess.STDOUT)
            if not wait_healthy(f"http://127.0.0.1:{self.port}"):
                self.stop()
                raise RuntimeError(f"haproxy did not start; see {self.logs}")
        return self

    def keep_running(self, until: float = float("inf")) -> None:
        """Restart any app server that exits, backing off while it keeps exiting soon after it starts; return when
        the proxy does (or at the monotonic time `until`)."""
        quick_exits, due = [0] * len(self.apps), [None] * len(self.apps)
        while (self.proxy is None or self.proxy.poll() is None) and time.monotonic() < until:
            now = time.monotonic()
            for i, app in enumerate(self.apps):
                if app is not None and app.poll() is not None and due[i] is None:
                    quick_exits[i] = quick_exits[i] + 1 if now - self.started[i] < STAYED_UP else 0
                    due[i] = now + restart_delay(quick_exits[i])
                    print(f"app server {i + 1} exited ({app.returncode}); starting it again in "
                          f"{due[i] - now:.0f} s", flush=True)
                if due[i] is not None and now >= due[i]:
                    due[i] = None
                    self.start_app(i)
            time.sleep(0.5)

    def stop(self) -> None:
        """End the proxy, the servers and their training workers."""
        procs = [p for p in [self.proxy, *self.apps] if p is not None and p.poll() is None]
        for p in procs:
            try:
                os.killpg(p.pid, signal.SIGTERM) if p is not self.proxy else p.terminate()
            except ProcessLookupError:
                pass
        for p in procs:
            try:
                p.wait(6)  # a server stops within 5 s of SIGTERM (deploy/app_server.py)
            except subprocess.TimeoutExpired:
                p.kill()


def main(argv: list[str] | None = None) -> int:
    """Serve until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=8501, help="the one port students open (default 8501)")
    parser.add_argument("--servers", type=int, default=os.cpu_count() or 1,
                        help="app servers behind the proxy (default: one per core)")
    parser.add_argument("--bind", default="0.0.0.0", help="address to listen on (default: every interface)")
    parser.add_argument("--backend-ports", type=lambda t: [int(p) for p in t.split(",")], default=None, metavar="P1,P2",
                        help="the app servers' own ports, one per server (default: --port + 101, + 102, ...)")
    parser.add_argument("--hsts", action="store_true",
                        help="send Strict-Transport-Security: only when HAProxy is reached over HTTPS (docs/hosting.md)")
    args = parser.parse_args(argv)
    servers = max(1, args.servers)
    if args.backend_ports is not None and len(args.backend_ports) != servers:
        parser.error(f"--backend-ports names {len(args.backend_ports)} ports for {servers} servers")
    group = Class(args.port, servers, args.bind, backends=args.backend_ports, hsts=args.hsts)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        group.start()
        print(f"serving {group.k} app server(s) on http://{args.bind}:{args.port} (logs in {group.logs})", flush=True)
        group.keep_running()
    except RuntimeError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        group.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
