# Two commands a user needs: `make run` and `make test`. Both bootstrap .venv themselves.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck unit bench fuzz reliability clean compiled pure

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/gateway run

lint: $(STAMP)
	$(BIN)/ruff check gateway transforms tests bench
	$(BIN)/ruff format --check gateway transforms tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -q

test: lint typecheck unit

# Longer fuzzing than make test's budget: FUZZ_SECONDS per target (atheris, libFuzzer).
FUZZ_SECONDS ?= 120
fuzz: $(STAMP)
	FUZZ_SECONDS=$(FUZZ_SECONDS) $(BIN)/pytest -q tests/fuzz

# The reliability and security proof: tests/reliability, tests/security and every test that
# RELIABILITY.md's scenario tables name; each row's result is then written back into the page.
reliability: $(STAMP)
	mkdir -p var
	$(BIN)/pytest -q --junitxml=var/reliability.xml tests/reliability tests/security \
		$$($(BIN)/python -m tests.reliability.scenario_table ids); status=$$?; \
	$(BIN)/python -m tests.reliability.scenario_table results var/reliability.xml && exit $$status

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

# Optional: the X12 layer and the 214 mapping compiled with mypyc, in place (gateway/compiled.py
# lists them and refuses a compiled module older than its source); `make pure` undoes it.
compiled: pure $(STAMP)
	$(BIN)/python -c 'from gateway.compiled import build; build()'

pure:
	find gateway transforms -name '*.so' -delete
	rm -rf build

clean: pure
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
