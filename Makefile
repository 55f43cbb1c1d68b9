# Each target does its own set-up: a fresh machine needs only Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test bench fuzz lint typecheck index clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

# Incremental: a fresh index costs a stat call per file; a missing or stale one is (re)built.
# The TUI opens whatever the index run reported (a scan or an encrypted file fails alone;
# the TUI lists such files with their reasons: ctrl+n).
run: $(STAMP)
	-$(BIN)/python -m search index
	$(BIN)/python tui.py

index: $(STAMP)
	$(BIN)/python -m search index

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/python -m pytest -q -m "not slow"

bench: $(STAMP)
	$(BIN)/python -m bench

# The long fuzz and crash-loop run (about 20 minutes): 20 times the inputs of `make test`,
# with the hostile-corpus and hostile-server passes.
fuzz: $(STAMP)
	FUZZ_SCALE=20 $(BIN)/python -m pytest -q -p no:cacheprovider --hypothesis-show-statistics \
		tests/test_fuzz.py tests/test_crash_safety.py \
		tests/test_hostile.py::test_hostile_corpus_pass tests/test_hostile.py::test_hostile_server_pass \
		tests/test_tui.py::test_random_key_sequences_never_crash_the_ui | tee bench/results/fuzz.txt

clean:
	rm -rf $(VENV) index/gen-* index/CURRENT index/*.lock
