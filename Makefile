# Bureau: `make run` runs it on its embedded defaults, `make test` runs the tests.
# Both install what they need (Debian packages, then a virtual environment in .venv).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# The tests' PostgreSQL database (pytest creates and drops test_<name>).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/bureau

.PHONY: run test setup system check lint bench clean screenshots

run: setup
	$(BIN)/bureau run

test: setup
	scripts/start-services
	$(MAKE) --no-print-directory check
	DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/pytest
	DATABASE_URL=sqlite:///var/pytest.sqlite3 $(BIN)/pytest -m sqlite

# The main pages in French and English, at desktop and phone width, for the docs: the
# newcomer's journey (tests/dns/test_journey.py) saves them in var/artifacts/screenshots/.
screenshots: setup
	scripts/start-services
	DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/pytest -q tests/dns/test_journey.py
	@ls var/artifacts/screenshots/journey-*.png

check:
	$(BIN)/ruff check bureau tests bench
	BUREAU_DEMO=1 $(BIN)/mypy   # the type checker loads the settings: demo keys, as in the tests
	$(BIN)/lint-imports

setup: system $(VENV)/.installed node_modules/.installed

system:
	scripts/system-deps

$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	touch $@

# axe-core, which the browser tests run in each page they visit (package.json, exact versions).
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

bench: setup
	for b in bench/*.py; do $(BIN)/python $$b --quick || exit 1; done

clean:
	rm -rf $(VENV) node_modules build *.egg-info .pytest_cache .mypy_cache .ruff_cache
