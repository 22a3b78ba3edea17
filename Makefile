# The README's two commands: `make run` and `make test`. Each sets up .venv itself.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
OUT    ?= out

.PHONY: run test clean

# Core install: the nightly path, no torch.
$(BIN)/.installed-core: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

# Everything: torch's CPU wheel first (exact pin), then the extras.
$(BIN)/.installed-all: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[transformer,test]'
	touch $@ $(BIN)/.installed-core

run: $(BIN)/.installed-core
	$(BIN)/vntasks extract corpus/seeds -o $(OUT)/tasks.jsonl
	@echo "tasks written to $(OUT)/tasks.jsonl"

test: $(BIN)/.installed-all
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .hypothesis
