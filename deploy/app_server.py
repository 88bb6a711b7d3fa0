"""One app server, for hosting and for a laptop's `make run`: the heavy imports first, on the main thread, then
Streamlit's own command line, with the security headers on every response and a SIGTERM that stops the server in time.

    python deploy/app_server.py run app.py --server.port 8601 ...   (the arguments of `streamlit`)

Streamlit imports a page's modules when the first student arrives, on that student's script thread.
Importing torch, pandas and plotly holds the interpreter lock for seconds, and the web server's event
loop waits for it: on a fresh server, health checks stalled for up to 4 s while the first sessions
opened (bench/class_bench.py). Imported here, before the server listens, they cost nobody a wait.

Streamlit cannot set a response header (its issues #6417, #9160): here its Starlette app is wrapped in
deploy/headers.py's SecurityHeaders, and uvicorn's `Server: uvicorn` banner is turned off, so one server with no
proxy in front (`serve.py --servers 1`, a pod, a laptop) sends what HAProxy sends.

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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root, as `streamlit run app.py` has it

import pandas  # noqa: E402, F401
import plotly.graph_objects  # noqa: E402, F401
import pyarrow  # noqa: E402, F401
import torch  # noqa: E402, F401
from streamlit.web import bootstrap  # noqa: E402
from streamlit.web.cli import main  # noqa: E402
from streamlit.web.server.starlette import starlette_server  # noqa: E402

import mnistcore.serving.jobs  # noqa: E402, F401
from deploy.headers import SecurityHeaders  # noqa: E402
from mnistcore.serving import lines  # noqa: E402

STOP_SECONDS = 4.0  # from SIGTERM to exit, at most: within Kubernetes' grace period, and the 5 s a class waits
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

_streamlit_app, _streamlit_uvicorn = starlette_server.create_starlette_app, starlette_server._get_uvicorn_config_kwargs
starlette_server.create_starlette_app = lambda runtime: SecurityHeaders(_streamlit_app(runtime))
starlette_server._get_uvicorn_config_kwargs = lambda: {**_streamlit_uvicorn(), "server_header": False}

if __name__ == "__main__":
    sys.exit(main())
