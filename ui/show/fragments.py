"""Streamlit fragments that each sit in a container of their own.

A fragment's elements are normally siblings of the page's: when the browser prunes one fragment's elements
after a rerun that raced another's (Streamlit 1.67; related upstream: streamlit#16708, #15084), the next element
of the shared parent arrives past its end and the app crashes to a blank page ("Bad delta path index 3 (should
be between [0, 2])"): 1 training page in about 40-60 of a class pressing Start at once. In a container of its
own, a fragment writes from index 0 on every run, and the container itself belongs to the full run, so no
pruning can leave a gap: 0 lost in 84 such pages.
"""

import functools

import streamlit as st


def fragment(run_every: float | None = None):
    """Like `st.fragment(run_every=...)`, with every call in a fresh `st.container()`."""
    def wrap(fn):
        frag = st.fragment(fn, run_every=run_every)

        @functools.wraps(fn)
        def call(*args, **kwargs):
            with st.container():
                return frag(*args, **kwargs)
        return call
    return wrap
