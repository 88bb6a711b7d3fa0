"""Slow clients through a real HAProxy (deploy/serve.py's configuration): connections that send half a header and
wait (slowloris) are capped per address and dropped after the header's time limit, while the health check answers
and a websocket, once upgraded, outlives every timeout but its own. The app server behind is a small stand-in that
answers the health check and echoes a websocket's bytes: the proxy is what is tested. Bounded: 40 sockets, ~6 s."""

import base64
import hashlib
import select
import socket
import socketserver
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from bench.servers import free_port
from deploy.serve import HAPROXY, ProxyLimits, haproxy_config, wait_healthy

pytestmark = pytest.mark.skipif(not Path(HAPROXY).exists(), reason="haproxy is not installed (make system)")
LIMITS = ProxyLimits(per_source=20, request=2, idle=3, keep_alive=2)  # the real settings, scaled down to test in seconds
SLOW = 40  # slowloris sockets, twice the per-address cap


class Backend(socketserver.ThreadingTCPServer):
    """Answers GET /_stcore/health with "ok", and a websocket upgrade with 101, then echoes whatever comes."""

    daemon_threads = allow_reuse_address = True

    def handle_error(self, request, client_address):  # the proxy's health checks hang up as they like
        pass

    class Handler(socketserver.StreamRequestHandler):
        def handle(self):
            while True:
                head = b""
                while not head.endswith(b"\r\n\r\n"):
                    line = self.rfile.readline()
                    if not line:
                        return
                    head += line
                if b"upgrade: websocket" in head.lower():
                    key = next(v.strip() for k, _, v in (h.partition(b":") for h in head.split(b"\r\n"))
                               if k.lower() == b"sec-websocket-key")
                    accept = base64.b64encode(hashlib.sha1(key + b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest())
                    self.wfile.write(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                     b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n")
                    while data := self.request.recv(4096):
                        self.request.sendall(data)
                    return
                self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok")


@pytest.fixture
def proxy(tmp_path):
    """HAProxy on 127.0.0.1 with the scaled-down limits, in front of the stand-in app server."""
    backend = Backend(("127.0.0.1", free_port()), Backend.Handler)
    threading.Thread(target=backend.serve_forever, daemon=True).start()
    port = free_port()
    (tmp_path / "haproxy.cfg").write_text(haproxy_config(port, [backend.server_address[1]], "127.0.0.1", limits=LIMITS))
    process = subprocess.Popen([HAPROXY, "-db", "-f", str(tmp_path / "haproxy.cfg")],
                               stdout=open(tmp_path / "haproxy.log", "w"), stderr=subprocess.STDOUT)  # noqa: SIM115
    assert wait_healthy(f"http://127.0.0.1:{port}", timeout=20), (tmp_path / "haproxy.log").read_text()
    yield port
    process.terminate()
    process.wait(10)
    backend.shutdown()


def closed(sock: socket.socket, wait: float) -> bool:
    """True when the proxy has closed `sock` (possibly after a 408 answer) within `wait` seconds."""
    sock.settimeout(wait)
    try:
        while data := sock.recv(4096):
            if b"408" in data:
                return True
        return True
    except TimeoutError:
        return False
    except OSError:  # reset
        return True


def test_slow_clients_are_capped_per_address_and_dropped_while_health_and_a_websocket_carry_on(proxy):
    slow, refused = [], []
    start = time.monotonic()
    for _ in range(SLOW):  # from another loopback address than the health check's: one attacker's address
        s = socket.socket()
        s.bind(("127.0.0.2", 0))
        s.connect(("127.0.0.1", proxy))
        slow.append(s)
        try:
            s.sendall(b"GET / HTTP/1.1\r\nHost: class\r\n")  # half a header, then nothing
        except OSError:  # reset by the proxy before the first byte
            refused.append(s)
    time.sleep(0.3)
    readable, _, _ = select.select([s for s in slow if s not in refused], [], [], 0)  # an end or a reset waits there
    refused += readable
    assert len(refused) == SLOW - LIMITS.per_source  # past the cap, an address's connections are closed at once

    health = time.monotonic()
    assert urllib.request.urlopen(f"http://127.0.0.1:{proxy}/_stcore/health", timeout=2).read() == b"ok"
    assert time.monotonic() - health < 1.0

    ws = socket.create_connection(("127.0.0.1", proxy))
    ws.sendall(b"GET /_stcore/stream HTTP/1.1\r\nHost: class\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
    assert ws.recv(4096).startswith(b"HTTP/1.1 101")
    time.sleep(LIMITS.idle + 1)  # silent past the header, idle and keep-alive timeouts: a tunnel has only its own
    ws.sendall(b"still here")
    ws.settimeout(2)
    assert ws.recv(4096) == b"still here"
    ws.close()

    held = [s for s in slow if s not in refused]
    assert all(closed(s, max(0.1, start + LIMITS.request + 1 - time.monotonic())) for s in held)  # dropped at 2 s
    for s in slow:
        s.close()
