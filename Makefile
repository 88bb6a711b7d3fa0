# Two commands do all the set-up: `make run` and `make test` create .venv when it is missing.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501

.PHONY: run serve test bench lint system clean

$(VENV)/.run-installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements-dev.txt $(VENV)/.run-installed
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

run: $(VENV)/.run-installed  ## start the app on http://localhost:$(PORT), with the security headers (deploy/app_server.py)
	$(PY) deploy/app_server.py run app.py --server.port $(PORT)

serve: $(VENV)/.run-installed  ## host a class: app servers behind HAProxy on port $(PORT) (ARGS="--servers K --backend-ports P1,P2")
	$(PY) deploy/serve.py --port $(PORT) $(ARGS)

system:  ## Debian packages the tests use: Chromium for the browser tests, Fashion-MNIST for the full-size data
	@bash scripts/system-packages.sh

test: $(VENV)/.dev-installed system  ## every test: core, AppTest, and the real browser
	$(PY) -m ruff check .
	$(PY) -m pytest

bench: $(VENV)/.dev-installed  ## benchmarks against baselines measured in the same run (ARGS=--browser, or ARGS="--class N")
	$(PY) -m bench $(ARGS)

lint: $(VENV)/.dev-installed
	$(PY) -m ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
