"""One app server for hosting: the heavy imports first, on the main thread, then Streamlit's own command line.

    python deploy/app_server.py run app.py --server.port 8601 ...   (the arguments of `streamlit`)

Streamlit imports a page's modules when the first student arrives, on that student's script thread.
Importing torch, pandas and plotly holds the interpreter lock for seconds, and the web server's event
loop waits for it: on a fresh server, health checks stalled for up to 4 s while the first sessions
opened (bench/class_bench.py). Imported here, before the server listens, they cost nobody a wait.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root, as `streamlit run app.py` has it

import pandas  # noqa: E402, F401
import plotly.graph_objects  # noqa: E402, F401
import pyarrow  # noqa: E402, F401
import torch  # noqa: E402, F401
from streamlit.web.cli import main  # noqa: E402

import mnistcore.serving.jobs  # noqa: E402, F401

if __name__ == "__main__":
    sys.exit(main())
