# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app wsgi
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test soak load lint bench lighthouse install clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("LoanFund needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Serve on http://127.0.0.1:5000 with the demo data (migrates and seeds on first start; idempotent afterwards), after
## the day's sweep so the dashboards and inboxes are current.
run: $(STAMP)
	$(FLASK) db upgrade
	$(FLASK) loanfund seed-demo
	$(FLASK) loanfund sweep
	@echo "LoanFund: http://127.0.0.1:5000"
	$(FLASK) run --host 127.0.0.1 --port 5000

## The whole test suite, in one process per core (pytest-xdist; each process has its own PostgreSQL server).
## One process: make test PYTEST_ARGS="-n 0".
test: $(STAMP)
	$(BIN)/python -m pytest -n auto --dist worksteal $(PYTEST_ARGS)

## The long variants of the random walks, the action matrix and schemathesis (minutes, not part of `make test`).
soak: $(STAMP)
	RANDOM_WALK_LIFECYCLES=2000 ACTION_MATRIX_FULL=1 SCHEMATHESIS_EXPLORE=1 STATE_MACHINE_SOAK=1 $(BIN)/python -m pytest \
		tests/integration/test_ledger.py tests/api/test_action_matrix.py tests/api/test_schemathesis.py \
		tests/integration/test_state_machine.py \
		-k "random_walk or every_action or generated_request or random_sequences" $(PYTEST_ARGS)

## The full load-and-fault run: gunicorn with 4 workers on PostgreSQL, 50 clients for 60 s, a worker and then the
## whole server killed (about two minutes).
load: $(STAMP)
	LOAD_FAULT_FULL=1 $(BIN)/python -m pytest -s tests/integration/test_load_and_fault.py $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## Measurements (not tests): every figure as a ratio against a baseline of the same run (bench/scale.py).
## BENCH_APPLICATIONS (1000000), BENCH_BASELINE (10000), BENCH_DATABASES ("sqlite postgresql"); needs wrk.
bench: $(STAMP)
	$(BIN)/python bench/scale.py

## Lighthouse (mobile) on six pages, written to docs/lighthouse.md (issue 30); installs Lighthouse 13 from the npm
## registry into bench/.node and uses Debian's chromium (a few minutes).
lighthouse: $(STAMP)
	npm install --silent --no-audit --no-fund --prefix bench/.node lighthouse@13
	$(BIN)/python bench/lighthouse.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
