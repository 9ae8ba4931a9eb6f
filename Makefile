# Two commands on a fresh machine with Python 3.11+: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Every package, direct or not, pinned with its hashes (dev tools included): two installs a month
# apart run the same code. `make lock` regenerates it after pyproject.toml's dependencies change,
# keeping the other pins; `make lock LOCK_FLAGS=--upgrade` moves every unpinned package to its newest.
LOCK := requirements.lock
LOCK_TOOL := $(VENV)/lock-tool
UV_VERSION := 0.13.9
LOCK_FLAGS ?=

.PHONY: setup run console test lint check-content lock

# A fresh venv from the lock alone (--require-hashes refuses anything unpinned or altered), then the
# project itself without dependencies; `pip check` catches a lock that pyproject.toml has outgrown.
$(STAMP): $(LOCK) pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is needed (found $$($(PYTHON) --version))"; exit 1; }
	$(PYTHON) -m venv --clear $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@$(BIN)/python -m pip check || { echo "$(LOCK) is behind pyproject.toml: run make lock"; exit 1; }
	touch $(STAMP)

setup: $(STAMP)

lock:
	$(PYTHON) -m venv $(LOCK_TOOL)
	$(LOCK_TOOL)/bin/python -m pip install --quiet uv==$(UV_VERSION)
	echo 'setuptools>=80' | $(LOCK_TOOL)/bin/uv pip compile pyproject.toml - --extra dev \
		--universal --python-version 3.11 --generate-hashes --custom-compile-command 'make lock' \
		--quiet $(LOCK_FLAGS) --output-file $(LOCK)

run: setup
	$(BIN)/cmas-bot run

console: setup
	$(BIN)/cmas-bot console

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy

check-content: setup
	$(BIN)/cmas-bot content check

test: lint check-content
	scripts/with-postgres.sh $(BIN)/pytest
