"""Stop the training runs of browser tabs that have closed, so a class's server does not fill up."""

import threading
import time

import streamlit as st
from streamlit import runtime
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from mnistcore.serving.jobs import Job

_watched: dict[str, Job] = {}  # browser session id -> its training run
_watched_lock = threading.Lock()


def watch(job: Job) -> None:
    """Stop `job` once this browser session has been gone longer than Streamlit waits for a reconnect."""
    if not runtime.exists():  # AppTest runs scripts without a server: no tabs to close
        return
    session_id = get_script_run_ctx().session_id
    with _watched_lock:
        for other in [s for s, j in _watched.items() if j is job]:  # a reloaded tab's old session gives the run up
            del _watched[other]
        _watched[session_id] = job
        if not any(t.name == "session-reaper" for t in threading.enumerate()):
            threading.Thread(target=_reap_forever, name="session-reaper", daemon=True).start()


def _reap_forever() -> None:
    """Check once a second which sessions with a run have closed their tab, and stop those runs."""
    grace = st.get_option("server.disconnectedSessionTTL")  # a wifi blip reconnects within this
    gone_since: dict[str, float] = {}
    while True:
        time.sleep(1)
        if not runtime.exists():  # between AppTest runs there is no server to ask
            continue
        server = Runtime.instance()
        with _watched_lock:
            for session_id, job in list(_watched.items()):
                if not job.alive:
                    del _watched[session_id]
                elif server.is_active_session(session_id):
                    gone_since.pop(session_id, None)
                elif time.monotonic() - gone_since.setdefault(session_id, time.monotonic()) > grace:
                    job.stop()  # the thread ends within a step and the session's model can be freed
                    del _watched[session_id]
                    gone_since.pop(session_id, None)
