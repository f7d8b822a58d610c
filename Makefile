# The two commands of the README. Both create .venv and install the pinned
# dependencies on first use (and again when pyproject.toml or the lock change).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LAB_STAMP := $(VENV)/.lab-installed
# Jupyter will not start as root (containers, CI) unless told it may.
LAB_ROOT  := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: report test lab clean

## report: build every demo trainee's report into reports/ (open reports/index.html)
report: $(STAMP)
	$(BIN)/analysis report --data data/demo --out reports

## test: run the test suite
test: $(STAMP)
	$(BIN)/python -m pytest -q

## lab: open JupyterLab on notebooks/ (the notebooks read the demo data by default)
lab: $(LAB_STAMP)
	cd notebooks && ../$(BIN)/jupyter lab $(LAB_ROOT)

$(LAB_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[test,lab]'
	touch $@

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[test]'
	touch $@

clean:
	rm -rf $(VENV) reports/*/ reports/index.html reports/rejects.csv
