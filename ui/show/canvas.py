"""The drawing canvas (streamlit-drawable-canvas), with a Clear button that works by touch and keyboard."""

import streamlit as st
from PIL import Image

from ui.show import words


def drawing(name: str = "canvas", size: int = 280) -> Image.Image | None:
    """A `size` x `size` canvas to draw a digit on, white ink on black: a PIL image once there is ink, else None.
    `name` keeps two canvases apart; `clear(name)` empties it."""
    try:
        from streamlit_drawable_canvas import st_canvas
    except Exception as e:  # the widget is optional: uploads still work without it
        st.caption(f"(Drawing is unavailable here: {words.plain(e)}.)")
        return None
    result = st_canvas(stroke_width=18 * size // 280, stroke_color="#FFFFFF", background_color="#000000", height=size,
                       width=size, drawing_mode="freedraw", return_image_data=True,
                       key=f"{name}{st.session_state.get(f'{name}_n', 0)}")
    # The canvas's own toolbar shows only on hover and is small; this button works by touch and keyboard too.
    st.button("Clear the drawing", icon=":material/ink_eraser:", on_click=clear, args=(name,), key=f"{name}_clear")
    data = result.image_data if result is not None else None
    if data is None or data[..., :3].max() < 50:
        return None
    return Image.fromarray(data.astype("uint8"), "RGBA").convert("RGB")


def clear(name: str = "canvas") -> None:
    """Empty canvas `name` (a fresh widget under a new key)."""
    st.session_state[f"{name}_n"] = st.session_state.get(f"{name}_n", 0) + 1
