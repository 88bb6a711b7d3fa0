"""Your own images, in folders: a zip uploaded, each image prepared as MNIST's were, shown by class with its split,
and then, on the learner's word, the data set every page uses."""

import threading

import streamlit as st

from mnistcore import figures, image_folders
from mnistcore.errors import DataError
from mnistcore.serving import workers
from ui.show import words
from ui.state import own_data, settings

ONE_AT_A_TIME = threading.Lock()  # zips prepared at once on this server: each uses both cores for seconds


def mosaic(ds, caption: str) -> None:
    """Up to eight training images of each class, a row per class, as the model will see them."""
    picture = figures.enlarged(figures.class_rows(ds.x_train, ds.y_train), zoom=2) / 255  # (600, 480) in [0, 1]
    st.image(picture, caption=caption, clamp=True, width=picture.shape[1],
             alt="up to eight training images of each of the ten classes, one row per class, as the model will see them")


def upload() -> None:
    """The zip's box; its images by class once read; the button that makes them every page's data."""
    st.markdown("A **zip with one folder per class**, ten folders (the lesson's model reads ten classes), the folder "
                "names the class names: the layout of PyTorch's `ImageFolder` and of Teachable Machine. PNG, JPEG, WebP, "
                "GIF or BMP, photos or scans of any size. Each image is prepared as MNIST's were: grey, ink light on "
                "dark, fitted into 20 × 20 and centred by mass in 28 × 28. Nothing is kept on the server's disk.")
    file = st.file_uploader("A zip of images in ten folders", type=["zip"], key="own_zip",
                            max_upload_size=image_folders.ZIP_BYTES // 2**20)
    if file is not None and st.session_state.get("own_zip_read") != file.file_id:
        st.session_state["own_zip_read"] = file.file_id  # read once: a rerun does not prepare it again
        try:
            with st.spinner("Preparing each image as MNIST's were (a few seconds for thousands)..."), ONE_AT_A_TIME:
                folders = image_folders.read_zip(file.getvalue(), context=workers.context())
            own_data.keep(folders, file.name)
        except DataError as e:
            st.error(f"That zip cannot be used: {words.plain(e)} Nothing you had before was changed.",
                     icon=":material/folder_off:")
    held = st.session_state.get("own_data")
    if not held:
        return
    ds = held["dataset"]
    st.subheader(f"Your {len(ds.y_train) + len(ds.y_valid):,} images, from {words.plain(held['zip'])}")
    names = ", ".join(f"{i}: {words.plain(c)}" for i, c in enumerate(ds.classes))
    mosaic(ds, f"Training images by class, top to bottom ({names})")
    st.caption(words.plain(image_folders.split_words(ds)))
    for note in held["notes"]:
        st.caption(words.plain(note))
    if settings.value("data") == own_data.YOURS:
        st.success("Every page now uses your images. The sidebar's **Data set** switches back.",
                   icon=":material/check_circle:")
    else:
        st.button("Use my images on every page", type="primary", icon=":material/dataset:",
                  on_click=settings.put, args=("data", own_data.YOURS))
