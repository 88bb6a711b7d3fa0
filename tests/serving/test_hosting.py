"""Hosting past one process: Kubernetes manifests validated offline, and two real app servers behind Debian's HAProxy."""

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
import yaml
from chromium import CHROMIUM, free_port, settle, start_run

from deploy.serve import HAPROXY, Class, haproxy_config

ROOT = Path(__file__).resolve().parents[2]
MANIFESTS = sorted((ROOT / "deploy" / "k8s").glob("*.yaml"))


def documents() -> dict[str, dict]:
    """Every manifest by its kind and name."""
    out = {}
    for path in MANIFESTS:
        for doc in yaml.safe_load_all(path.read_text()):
            out[f"{doc['kind']}/{doc['metadata']['name']}"] = doc
    return out


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: p.name)
def test_manifests_validate_against_the_kubernetes_schema(path):
    kubernetes_validate = pytest.importorskip("kubernetes_validate")
    for doc in yaml.safe_load_all(path.read_text()):
        kubernetes_validate.validate(doc, "1.37.0", strict=True)  # raises on any unknown or wrong field


def test_manifests_say_what_hosting_needs():
    docs = documents()
    for name in ("Deployment/mnist-explainer", "Deployment/mnist-explainer-gpu"):
        app = docs[name]["spec"]["template"]["spec"]["containers"][0]
        for probe in ("readinessProbe", "livenessProbe"):
            assert app[probe]["httpGet"]["path"] == "/_stcore/health"
        env = {e["name"]: e for e in app["env"]}
        assert env["MNISTCORE_FOLDER_BOX"]["value"] == "0"
        assert "secretKeyRef" in env["STREAMLIT_SERVER_COOKIE_SECRET"]["valueFrom"]
        assert env["MNISTCORE_HOSTED"]["value"] == "1"  # no room without the teacher password
        for shared in ("MNISTCORE_DB", "MNISTCORE_TEACHER_PASSWORD"):  # one class store for every pod, from the Secret
            assert env[shared]["valueFrom"]["secretKeyRef"]["name"] == "mnist-explainer"
    assert docs["Deployment/mnist-explainer-gpu"]["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"][
        "nvidia.com/gpu"] == 1
    notes = docs["Ingress/mnist-explainer"]["metadata"]["annotations"]
    assert notes["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    assert docs["Service/mnist-explainer"]["spec"]["selector"] == {"app": "mnist-explainer"}


def test_the_dockerfile_runs_the_hosting_launcher():
    text = (ROOT / "deploy" / "Dockerfile").read_text()
    assert "pip install --no-cache-dir -r requirements.txt" in text and "deploy/serve.py" in text


needs_haproxy = pytest.mark.skipif(not Path(HAPROXY).exists(), reason="haproxy is not installed (make system)")


@needs_haproxy
def test_haproxy_accepts_the_generated_configuration(tmp_path):
    config = tmp_path / "haproxy.cfg"
    config.write_text(haproxy_config(8501, [8601, 8602], "127.0.0.1"))
    check = subprocess.run([HAPROXY, "-c", "-f", str(config)], capture_output=True, text=True, timeout=30)
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.fixture
def two_servers(tmp_path):
    """Two app servers behind HAProxy on 127.0.0.1, with the hosting settings."""
    group = Class(free_port(), 2, bind="127.0.0.1", backends=[free_port(), free_port()], logs=tmp_path,
                  env={"MNISTCORE_CACHE": str(tmp_path / "cache"), "STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL": "2"})
    group.start()
    yield group
    group.stop()


def server_of(context) -> str:
    """The server HAProxy pinned this browser to (its cookie)."""
    return next(c["value"] for c in context.cookies() if c["name"] == "MNISTSERVER")


def weights_file(tmp_path) -> Path:
    """A saved state_dict of the lesson's model."""
    from mnistcore import models
    path = tmp_path / "weights.pt"
    path.write_bytes(models.to_file(models.build("linear")))
    return path


def images_loaded(pg) -> bool:
    """Every picture on the page has arrived (each is a media file on the session's own server)."""
    return pg.evaluate("() => [...document.querySelectorAll('[data-testid=\"stImage\"] img')]"
                       ".every(i => i.complete && i.naturalWidth > 0)")


@needs_haproxy
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")
def test_two_servers_behind_haproxy_keep_each_student_and_survive_one_dying(two_servers, browser, tmp_path):  # noqa: F811
    url = f"http://127.0.0.1:{two_servers.port}"
    contexts = [browser.new_context(viewport={"width": 1400, "height": 2000}) for _ in range(2)]
    pages = [c.new_page() for c in contexts]
    for pg in pages:
        pg.goto(f"{url}/training?epochs=40&pace=slow&lr=0.003")
        settle(pg)
    pinned = [server_of(c) for c in contexts]
    assert sorted(pinned) == ["s1", "s2"]  # the proxy spread the two students over the two servers
    assert not any("Folder with the full data" in p.locator('[data-testid="stSidebar"]').inner_text() for p in pages)

    nav = '[data-testid="stSidebarNav"]'
    for pg, context, server in zip(pages, contexts, pinned):
        pg.set_input_files('[data-testid="stFileUploaderDropzoneInput"]', str(weights_file(tmp_path)))
        pg.wait_for_function("() => document.body.innerText.includes('Loaded: ')", timeout=60_000)
        for title in ("The model's mistakes", "Softmax & cross-entropy", "Live training"):
            pg.locator(nav).get_by_text(title).click()
            settle(pg)
            if title == "The model's mistakes":
                assert "Using the weights you uploaded (weights.pt" in pg.locator('[data-testid="stMain"]').inner_text()
                pg.wait_for_function("() => document.querySelectorAll('[data-testid=\"stImage\"] img').length >= 20")
                assert images_loaded(pg)
        assert server_of(context) == server  # still on its own server after switches, an upload and pictures

    main = '[data-testid="stMain"]'
    for pg in pages:
        start_run(pg)
    doomed = pinned.index("s1")
    survivor = 1 - doomed
    os.killpg(two_servers.apps[0].pid, signal.SIGKILL)  # server s1, its forkserver and its workers
    killed_at = time.monotonic()

    lost = pages[doomed]
    lost.wait_for_function("() => document.body.innerText.includes('The training run this tab had is gone')",
                           timeout=30_000)
    back_after = time.monotonic() - killed_at
    assert back_after <= 5, f"the page came back after {back_after:.1f} s"
    assert server_of(contexts[doomed]) == "s2" and "epochs=40" in lost.url and "lr=0.003" in lost.url
    settle(lost)
    assert lost.get_by_label("Epochs").input_value() == "40"  # the settings in the URL survived the move

    kept = pages[survivor]
    kept.wait_for_function("() => /running: step [1-9]/.test(document.body.innerText)", timeout=10_000)
    assert server_of(contexts[survivor]) == "s2" and "is gone" not in kept.locator(main).inner_text()
    kept.locator(main).get_by_role("button", name="Stop").click()
    kept.wait_for_function("() => document.body.innerText.includes('stopped: step')", timeout=30_000)
    for c in contexts:
        c.close()


def test_serve_refuses_several_servers_without_haproxy(monkeypatch, tmp_path):
    import deploy.serve as serve
    monkeypatch.setattr(serve, "HAPROXY", str(tmp_path / "no-haproxy"))
    group = Class(free_port(), 2, bind="127.0.0.1", backends=[free_port(), free_port()], logs=tmp_path)
    with pytest.raises(RuntimeError, match="haproxy is not installed"):
        group.start()
    assert group.apps == [None, None]  # refused before starting anything


def test_a_server_that_keeps_exiting_is_restarted_with_growing_pauses(monkeypatch, tmp_path):
    import deploy.serve as serve
    starts = tmp_path / "starts"
    crash = ["-c", "import sys, time; open(sys.argv[1], 'a').write(f'{time.monotonic()}\\n'); sys.exit(3)", str(starts)]
    monkeypatch.setattr(serve, "app_command", lambda port, address: [serve.sys.executable, *crash])
    group = Class(free_port(), 1, bind="127.0.0.1", logs=tmp_path)
    group.start_app(0)
    group.keep_running(until=time.monotonic() + 8)
    times = [float(t) for t in starts.read_text().split()]
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert 3 <= len(times) <= 4, times  # restarted every second, as before, it would have started 8 times
    assert all(b > a + 0.5 for a, b in zip(gaps, gaps[1:])), gaps  # 1 s, 2 s, 4 s ...
    assert [serve.restart_delay(k) for k in range(9)] == [0, 1, 2, 4, 8, 16, 32, 60, 60]


def test_serve_takes_the_app_servers_ports(monkeypatch, capsys):
    import deploy.serve as serve
    made = []

    class Recorder:
        def __init__(self, port, servers, bind, backends=None, hsts=False):
            made.append((port, servers, backends))

        def start(self):
            raise RuntimeError("not started in this test")

        def stop(self):
            pass

    monkeypatch.setattr(serve, "Class", Recorder)
    assert serve.main(["--port", "9000", "--servers", "2", "--backend-ports", "9101,9202"]) == 2
    assert made == [(9000, 2, [9101, 9202])]
    with pytest.raises(SystemExit):
        serve.main(["--servers", "2", "--backend-ports", "9101"])
    assert "names 1 ports for 2 servers" in capsys.readouterr().err
