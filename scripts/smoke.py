"""A laptop's smoke test: every page opens without an exception, and one epoch trains on the quick sample.

Run from the repository root with the Python of the environment to check:

    .venv/bin/python scripts/smoke.py            (Windows: .venv\\Scripts\\python scripts\\smoke.py)

The pages are found at run time: every app_pages/*.py that draws something when it runs (a call at its top
level), so a renamed page is still opened and a helper module beside the pages is not. Each is opened under
Streamlit's AppTest on the quick sample (`?size=sample`), as a student's browser would, after the start page.
One line per check; the last line says how many passed, and the exit status is 1 when any failed.
Not part of `make test`: scripts/check-pythons.sh runs it in a fresh environment for each Python.
"""

import ast
import json
import os
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"
QUERY = {"size": "sample", "pace": "full"}  # the shipped sample, trained at full speed
TIMEOUT = 180  # seconds for one script run of a page, as the tests allow


def is_page(path: Path) -> bool:
    """A page draws when it runs: some call stands on its own at the module's top level (`st.title(...)`).
    A helper module only imports, defines and assigns."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return any(isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) for node in tree.body)


def pages() -> list[Path]:
    """The app's pages, the start page first."""
    found = [p for p in sorted((ROOT / "app_pages").glob("*.py")) if p.name != "__init__.py" and is_page(p)]
    return sorted(found, key=lambda p: p.stem != "home")


def open_page(page: Path) -> str:
    """Open `page` in a fresh session; its title, or an AssertionError with the page's exception."""
    import streamlit.logger
    from streamlit.testing.v1 import AppTest

    streamlit.logger.set_log_level("error")  # AppTest's bare mode warns of a missing ScriptRunContext each session
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    for key, value in QUERY.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    if page.stem != "home":
        start = at.title[0].value if at.title else None
        at.switch_page(page.relative_to(ROOT).as_posix()).run()
        assert not at.exception, [e.message for e in at.exception]
        title = at.title[0].value if at.title else None
        assert title != start, f"still on the start page ({start!r}): {page.name} is not in the navigation"
    assert at.title, "the page has no title"
    return at.title[0].value


def train_one_epoch() -> str:
    """One epoch of the lesson's model on the sample through the command line; its accuracy and time."""
    cmd = [sys.executable, "-m", "mnistcore", "train", "--dataset", "mnist", "--source", "sample", "--epochs", "1", "--json"]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, (done.stderr or done.stdout).strip().splitlines()[-1:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["valid_accuracy"] > 0.8, f"valid accuracy {result['valid_accuracy']:.4f}, expected over 0.8"
    return f"valid accuracy {result['valid_accuracy']:.4f} in {result['seconds']:.2f} s on {result['device']}"


def main() -> int:
    # Downloads, the class's SQLite file and caches go to a folder of their own, not the user's ~/.cache.
    os.environ.setdefault("MNISTCORE_CACHE", tempfile.mkdtemp(prefix="mnist-smoke-"))
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    checks = [(f"page {p.relative_to(ROOT).as_posix()}", lambda p=p: open_page(p)) for p in pages()]
    checks.append(("train 1 epoch on the sample", train_one_epoch))
    failed = []
    for name, check in checks:
        t0 = time.perf_counter()
        try:
            said, ok = check(), True
        except Exception as e:  # noqa: BLE001 - every failure is reported, the run goes on
            said, ok = f"{type(e).__name__}: {e}".splitlines()[0][:300], False
            if not isinstance(e, AssertionError):
                traceback.print_exc(file=sys.stderr)
            failed.append(name)
        print(f"{'ok  ' if ok else 'FAIL'} {name} ({time.perf_counter() - t0:.1f} s): {said}", flush=True)
    print(f"smoke: {len(checks) - len(failed)} passed, {len(failed)} failed" + (f" ({', '.join(failed)})" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
