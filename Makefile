# Each target does its own set-up: a fresh machine needs only Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test bench fuzz lint typecheck index clean ocr

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

# Tesseract reads scanned pages (a system program, with its Swedish, Latvian, Russian,
# Belarusian and English data). As root it is installed here; otherwise the one command to
# run is named, and scanned files are listed as not indexed with the same hint.
OCR_PACKAGES := tesseract-ocr tesseract-ocr-swe tesseract-ocr-lav tesseract-ocr-rus tesseract-ocr-bel tesseract-ocr-eng
ocr:
	@if command -v tesseract >/dev/null 2>&1 && tesseract --list-langs 2>/dev/null | grep -qx lav; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Tesseract to read scanned pages …"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(OCR_PACKAGES) >/dev/null) \
			|| echo "Could not install Tesseract: scanned pages will be listed as not indexed."; \
	else \
		echo "To read scanned pages, install Tesseract: sudo apt-get install $(OCR_PACKAGES)"; \
	fi

# Incremental: a fresh index costs a stat call per file; a missing or stale one is (re)built.
# The TUI opens whatever the index run reported (a scan or an encrypted file fails alone;
# the TUI lists such files with their reasons: ctrl+n).
run: $(STAMP) ocr
	-$(BIN)/python -m search index
	$(BIN)/python tui.py

index: $(STAMP) ocr
	$(BIN)/python -m search index

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

test: lint typecheck ocr
	$(BIN)/python -m pytest -q -m "not slow" -n 2 --dist loadfile

bench: $(STAMP)
	$(BIN)/python -m bench

# The long fuzz and crash-loop run (6-9 minutes on 2 cores): 20 times the inputs of `make test`,
# with the hostile-corpus and hostile-server passes.
fuzz: $(STAMP)
	FUZZ_SCALE=20 $(BIN)/python -m pytest -q -p no:cacheprovider --hypothesis-show-statistics \
		tests/test_fuzz.py tests/test_crash_safety.py \
		tests/test_hostile.py::test_hostile_corpus_pass tests/test_hostile.py::test_hostile_server_pass \
		tests/test_tui.py::test_random_key_sequences_never_crash_the_ui | tee bench/results/fuzz.txt

clean:
	rm -rf $(VENV) index/gen-* index/CURRENT index/*.lock
