"""One app server, for hosting and for a laptop's `make run`: the heavy imports first, on the main thread, then
Streamlit's own command line, with the security headers on every response and a SIGTERM that stops the server in time.

    python deploy/app_server.py run app.py --server.port 8601 ...   (the arguments of `streamlit`)

Streamlit imports a page's modules when the first student arrives, on that student's script thread.
Importing torch, pandas and plotly holds the interpreter lock for seconds, and the web server's event
loop waits for it: on a fresh server, health checks stalled for up to 4 s while the first sessions
opened (bench/class_bench.py). Imported here, before the server listens, they cost nobody a wait.

Streamlit cannot set a response header (its issues #6417, #9160): here its Starlette app is wrapped in
deploy/headers.py's SecurityHeaders, and uvicorn's `Server: uvicorn` banner is turned off, so one server with no
proxy in front (`serve.py --servers 1`, a pod, a laptop) sends what HAProxy sends. Nor has uvicorn a time limit on
a request's header: a client that sent half of one and waited held its connection for ever (slowloris), so here a
connection whose header is not all in within HEADER_SECONDS is closed, as HAProxy's `timeout http-request` does.

Kubernetes and Docker stop a container with SIGTERM, then SIGKILL after a grace period. Streamlit's own
SIGTERM handler waits for its sessions, and a server did not exit within 15 s; here SIGTERM stops every
training run, lets Streamlit close its sessions, and ends the process after STOP_SECONDS whatever is left
(its workers end with it: each watches the server's pidfd).
"""

import os
import signal
import sys
import threading
from pathlib import Path

import h11

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root, as `streamlit run app.py` has it

import pandas  # noqa: E402, F401
import plotly.graph_objects  # noqa: E402, F401
import pyarrow  # noqa: E402, F401
import torch  # noqa: E402, F401
from streamlit.web import bootstrap  # noqa: E402
from streamlit.web.cli import main  # noqa: E402
from streamlit.web.server.starlette import starlette_server  # noqa: E402
from uvicorn.protocols.http.h11_impl import H11Protocol  # noqa: E402

import mnistcore.serving.jobs  # noqa: E402, F401
from deploy.headers import SecurityHeaders  # noqa: E402
from mnistcore.serving import lines  # noqa: E402

STOP_SECONDS = 4.0  # from SIGTERM to exit, at most: within Kubernetes' grace period, and the 5 s a class waits
HEADER_SECONDS = 10.0  # a request's header must be all in within this, from the connection or the last answer
_streamlit_handlers = bootstrap._set_up_signal_handler


def _handlers_that_stop_in_time(server) -> None:
    """Streamlit's signal handlers, with a SIGTERM that first stops the runs and then cannot take longer than STOP_SECONDS."""
    _streamlit_handlers(server)
    graceful = signal.getsignal(signal.SIGTERM)

    def on_term(signum, frame) -> None:
        deadline = threading.Timer(STOP_SECONDS, os._exit, (0,))  # the deadline, whatever still runs
        deadline.daemon = True  # an exit that comes sooner does not wait for it
        deadline.start()
        lines.BROWSER_RUNS.stop_all()
        graceful(signum, frame)  # Streamlit stops listening and closes its sessions

    signal.signal(signal.SIGTERM, on_term)


bootstrap._set_up_signal_handler = _handlers_that_stop_in_time



class HeaderDeadline(H11Protocol):
    """uvicorn's HTTP/1.1 protocol, closing a connection whose request header is not all in within HEADER_SECONDS
    (from its opening, or from the answer before). A websocket, once upgraded, is another protocol's and is left be."""

    def _arm(self) -> None:
        self._deadline = self.loop.call_later(HEADER_SECONDS, self._too_slow)

    def _too_slow(self) -> None:
        if self.transport.get_protocol() is self and self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:  # the whole header is in: the request runs on its own time
            self._deadline.cancel()

    def on_response_complete(self) -> None:
        self._deadline.cancel()
        self._arm()  # the next request on this connection, if any, has the same time
        super().on_response_complete()

    def connection_lost(self, exc) -> None:
        self._deadline.cancel()
        super().connection_lost(exc)


_streamlit_app, _streamlit_uvicorn = starlette_server.create_starlette_app, starlette_server._get_uvicorn_config_kwargs
starlette_server.create_starlette_app = lambda runtime: SecurityHeaders(_streamlit_app(runtime))
starlette_server._get_uvicorn_config_kwargs = lambda: {**_streamlit_uvicorn(), "server_header": False, "http": HeaderDeadline}

if __name__ == "__main__":
    sys.exit(main())
