# `make book` builds the whole book, `make test` runs every test. Both create .venv and
# install the pinned dependencies from requirements.lock the first time (or when it changes).
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: book test test-fast lint lock clean

# `make book DATA=mydata ONLY=cohort,meta` builds from another folder or only some chapters.
DATA ?= data
ONLY ?=

book: $(STAMP)
	$(BIN)/rtw-report build --pdf --data $(DATA) $(if $(ONLY),--only $(ONLY))

# The 25 slowest tests are listed at the end (where CI time goes).
test: $(STAMP)
	$(BIN)/ruff check analysis tests
	$(BIN)/ruff format --check analysis tests
	$(BIN)/python -m pytest -n auto --dist loadgroup --durations=25

# Every unit test, without the book builds, the browser and the slow tests, and with the
# property tests on fewer random cases (--quick): seconds, for the edit-test loop. It keeps
# the compiled project and pytest's rewritten test modules in __pycache__ even where
# PYTHONDONTWRITEBYTECODE is set: compiling them again took each worker about 3 CPU-s.
test-fast: $(STAMP)
	$(BIN)/ruff check analysis tests
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -n auto -m "not book and not browser and not slow" --quick

# Also lists every translation whose English text changed since it was checked (see README).
lint: $(STAMP)
	$(BIN)/ruff check analysis tests
	$(BIN)/ruff format --check analysis tests
	$(BIN)/rtw-report translations check

# Re-resolve the pins after changing dependencies in pyproject.toml; keeps environment.yml in sync.
lock: $(STAMP)
	$(BIN)/pip-compile --quiet --extra dev --extra spark --strip-extras --no-emit-index-url \
		--no-emit-find-links --output-file requirements.lock pyproject.toml
	$(BIN)/python -m analysis.pipeline.lockfile

# uv (from the package index) installs the lock file in a fraction of pip's time; where it
# cannot be had, pip does the same job. Both compile the packages' bytecode at install (uv
# only when asked): without it every kernel and render compiles pandas, matplotlib and scipy
# again, and never keeps the result where PYTHONDONTWRITEBYTECODE is set.
$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	if $(BIN)/python -m pip install --quiet --disable-pip-version-check uv; then \
		$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -r requirements.lock && \
		$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e . ; \
	else \
		$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock && \
		$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e . ; \
	fi
	touch $(STAMP)

clean:
	rm -rf _build
