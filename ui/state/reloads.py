"""What a reload brings back: this tab's run, trained model, uploaded weights and typed folder.

A reload opens a new Streamlit session with empty state; the settings come back from the address, but the
rest would be lost. So each tab gets a random token in its address (`tab=`), and the server keeps, per
token, references to what the tab had. The token counts only in the browser that made it (`browsers`): a
link copied from the address bar and opened elsewhere carries the token, but its browser does not match,
so that session starts afresh, with no one else's run and no warning.
"""

import re
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from urllib.parse import urlencode

import streamlit as st

from ui.state import browsers, reaper, registry

KEPT = registry.kept_over_reloads()  # what a tab has that its address does not carry
MAX_TABS = 2_000  # tabs remembered per server, newest kept: a class of 20 opens a few hundred in a day
KEEP_SECONDS = 6 * 3600  # a lesson's length, and then some
TOKEN = re.compile(r"[0-9a-f]{18}")  # 6 characters of the browser's id, then 12 random ones
URL_ONLY_HERE = ("tab", "run", "key")  # what a link for someone else must not carry
OWN_PER_BROWSER = 2  # data sets of one's own (a zip: up to 20,000 images, ~16 MB) kept for a browser's newest tabs
OWN_BYTES = 256 * 2**20  # and for all tabs together: many tabs, or many browsers, cannot fill the server with uploads


@dataclass
class _Tab:
    """What one tab had at its last run."""

    browser: str
    values: dict = field(default_factory=dict)
    touched: float = field(default_factory=time.monotonic)


_tabs: "OrderedDict[str, _Tab]" = OrderedDict()
_lock = threading.Lock()


def _new_token(browser: str | None) -> str:
    """A fresh token that names its browser's id (or none) in its first six characters."""
    return (browser or "000000")[:6] + secrets.token_hex(6)


def bring_back() -> None:
    """On a session's first run: restore what this tab had, or give it a token of its own. On every run after:
    remember what the tab has now, under its token."""
    browser = browsers.browser_id()
    if "tab" not in st.session_state:
        st.session_state["tab"] = _claim(st.query_params.get("tab", ""), browser)
    token = st.session_state["tab"]
    st.query_params["tab"] = token
    if browser is not None:
        remember()


def _claim(token: str, browser: str | None) -> str:
    """The token this new session goes on with, restoring its tab's state when it belongs to this browser."""
    ours = browser is not None and TOKEN.fullmatch(token) is not None and token.startswith(browser[:6])
    with _lock:
        tab = _tabs.get(token) if ours else None
        if tab is not None and tab.browser == browser and time.monotonic() - tab.touched < KEEP_SECONDS:
            for key, value in tab.values.items():
                st.session_state.setdefault(key, value)
            job = st.session_state.get("job")
            if job is not None and job.alive:
                reaper.watch(job)  # this session owns the run now: the old one's closing must not stop it
            return token
    if ours and st.query_params.get("run"):  # this browser's own tab had a run, and this server does not know it
        st.session_state["run_gone"] = True
    st.query_params.pop("run", None)
    return _new_token(browser)


def remember() -> None:
    """Keep references to what this tab has now (called on every run, and by pages after they change it)."""
    browser = browsers.browser_id()
    if browser is None or "tab" not in st.session_state:
        return
    values = {key: st.session_state[key] for key in KEPT if key in st.session_state}
    with _lock:
        _tabs[st.session_state["tab"]] = _Tab(browser, values)
        _tabs.move_to_end(st.session_state["tab"])
        while len(_tabs) > MAX_TABS or (_tabs and time.monotonic() - next(iter(_tabs.values())).touched > KEEP_SECONDS):
            _tabs.popitem(last=False)
        if values.get("own_data"):
            _bound_own_data()


def _bound_own_data() -> None:
    """Keep the images of one's own over reloads for each browser's newest OWN_PER_BROWSER data sets, OWN_BYTES in
    all; an older tab forgets its own (its session keeps them while it is open; a reload of it falls back to MNIST).
    Called with the lock held."""
    kept: dict[str, set[int]] = {}
    total = 0
    for tab in reversed(_tabs.values()):  # newest first
        own = tab.values.get("own_data")
        if not own:
            continue
        ds, mine = own["dataset"], kept.setdefault(tab.browser, set())
        if id(ds) in mine:  # the same data set in another tab of this browser
            continue
        size = ds.x_train.nbytes + ds.x_valid.nbytes
        if len(mine) >= OWN_PER_BROWSER or total + size > OWN_BYTES:
            del tab.values["own_data"]
            continue
        mine.add(id(ds))
        total += size


def link_for_others() -> str:
    """This page's address with this tab's settings, without what only this tab may use."""
    page = st.context.url or "http://localhost:8501/"  # the page the browser shows, without its query
    settings = {k: v for k, v in st.query_params.to_dict().items() if k not in URL_ONLY_HERE}
    return page + (f"?{urlencode(settings, safe=',')}" if settings else "")


def class_link() -> None:
    """A button that shows the link for the class: these settings, nobody's run."""
    with st.popover("Copy a link for the class", icon=":material/link:", width="stretch"):
        st.caption("Opens this page with these settings for anyone who follows it; your run and your model stay yours.")
        st.code(link_for_others(), language=None, wrap_lines=True)
