"""Where the keyboard's focus goes when a rerun takes its element away, and the phone's menu after a page switch.

Streamlit redraws a page after every press. When the pressed element is drawn anew (a "Check" whose verdict now
stands above it) or disabled (a "Start" while its run trains), the browser drops the focus to the page's body:
a keyboard user starts again from the top, and a screen reader says nothing. And a page switch made by a button
("Use these settings") leaves a phone's menu open over the new page, where a click on the menu's own links folds
it. One small script, the same on every page, does what Streamlit's own links do: it puts the focus back on the
element (or, when it is disabled, on the nearest one beside it that can take it), and folds a phone's menu when the
page changes. It never takes the focus from where a mouse or a finger put it.
"""

from pathlib import Path

import streamlit as st

JS = Path(__file__).with_name("focus.js")  # deploy/headers.py allows exactly this text to run (by its hash)
SCRIPT = f"<script>{JS.read_text()}</script>"


def keep() -> None:
    """Send the script (inside a hidden container: it draws nothing)."""
    st.html(SCRIPT, unsafe_allow_javascript=True)  # our own file's text: no user input ever reaches it
