# The two commands of the README: `make run` (app on the sample data) and `make test` (whole suite).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: run test venv dev-deps sample lint bench

$(BIN)/.installed: requirements.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(BIN)/.dev-installed: $(BIN)/.installed requirements-dev.txt requirements-spark.txt
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

venv: $(BIN)/.installed

# Loads sample_data/ through the same ingestion path users use, only into an empty warehouse.
run: $(BIN)/.installed
	$(BIN)/python -m ecom ingest --if-empty sample_data/
	ECOM_OUR_BRANDS="$${ECOM_OUR_BRANDS:-悦颜,棉语,小满}" $(BIN)/python -m ecom serve --port $(PORT)

test: $(BIN)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

lint: $(BIN)/.dev-installed
	$(BIN)/ruff check .

sample: $(BIN)/.installed
	$(BIN)/python -m ecom sample --out sample_data --stats

bench: $(BIN)/.installed
	$(BIN)/python bench/ingest.py
