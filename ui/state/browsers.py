"""Which browser a session comes from, without an account: the XSRF cookie Streamlit already sets.

Streamlit gives each browser one random token, kept in the `_streamlit_xsrf` cookie for as long as the
browser runs, and masks it afresh in every response (`2|mask|masked token|time`). Unmasked, the token is the
same for every tab and every reload of that browser, and different for every other browser: a classroom
behind one NAT address still has one id per student. The id is a hash of the token, never the token itself.
"""

import binascii
import hashlib

import streamlit as st

COOKIE = "_streamlit_xsrf"


def token_of(cookie: str) -> bytes | None:
    """The browser's token inside a version-2 XSRF cookie value, or None for anything else."""
    parts = cookie.split("|")
    if len(parts) != 4 or parts[0] != "2":
        return None
    try:
        mask, masked = binascii.a2b_hex(parts[1]), binascii.a2b_hex(parts[2])
    except (binascii.Error, ValueError):
        return None
    if len(mask) != 4 or not masked:
        return None
    return bytes(b ^ mask[i % 4] for i, b in enumerate(masked))


def owner() -> str:
    """Whom this session's training runs count against: its browser, or the session itself where there is no
    cookie (tests, XSRF off)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx
    ctx = get_script_run_ctx()
    return browser_id() or (f"session:{ctx.session_id}" if ctx is not None else "no session")


def browser_id() -> str | None:
    """A stable, anonymous id of this session's browser; None where there is no cookie (XSRF off, tests)."""
    try:
        cookie = st.context.cookies.get(COOKIE)
    except Exception:  # no script run context (a test calling a page function directly)
        return None
    token = token_of(cookie) if isinstance(cookie, str) else None
    return hashlib.sha256(b"mnist-browser|" + token).hexdigest()[:24] if token else None
