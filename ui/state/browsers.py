"""Which browser a session comes from, without an account: the XSRF cookie Streamlit already sets.

Streamlit gives each browser one random token, kept in the `_streamlit_xsrf` cookie for as long as the
browser runs, and masks it afresh in every response (`2|mask|masked token|time`). Unmasked, the token is the
same for every tab and every reload of that browser, and different for every other browser: a classroom
behind one NAT address still has one id per student. The id is a hash of the token, never the token itself.
A client chooses its own cookie, so the id counts browsers that play fair; a cap it sets bounds a browser's tabs,
not a stranger (docs/hosting.md).

Where the browser runs (`from_this_machine`) decides what only the computer running the app may do: on a laptop,
open a room without a password, point the app at a folder on its disk, download into its cache.
"""

import binascii
import hashlib
import ipaddress
import socket

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


def peer_address() -> str | None:
    """The address this session's browser connects from, as the server saw its websocket (a proxy on this machine
    may name the browser behind it, X-Forwarded-For: deploy/serve.py's HAProxy does); "" where the server knows none,
    None where there is no server at all (AppTest, a script)."""
    from streamlit.runtime import exists, get_instance
    from streamlit.runtime.scriptrunner import get_script_run_ctx
    ctx = get_script_run_ctx()
    if ctx is None or not exists():
        return None
    client = get_instance().get_client(ctx.session_id)
    address = getattr(getattr(client, "client_context", None), "remote_ip", None)
    if address is None or isinstance(address, str):
        return address or ""
    return None  # AppTest's stand-in runtime answers with mock objects: no server, no browser elsewhere


def is_this_machine(address: str | None) -> bool:
    """True for an address of the computer running the app: loopback, or one of its own interfaces' (a teacher who
    opens the laptop's LAN address on the laptop). None (no server: a test) counts as this machine, "" as another."""
    if address is None:
        return True
    try:
        ip = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return False
    ip = getattr(ip, "ipv4_mapped", None) or ip
    if ip.is_loopback:
        return True
    try:  # an address this machine can bind to is one of its own
        with socket.socket(socket.AF_INET6 if ip.version == 6 else socket.AF_INET) as probe:
            probe.bind((str(ip), 0))
        return True
    except OSError:
        return False


def from_this_machine() -> bool:
    """True when this session's browser runs on the computer that runs the app (a laptop's own screen)."""
    return is_this_machine(peer_address())
