# One entry point for development tasks; CI runs .ci/run, which runs the same tests.
.PHONY: install test test-serial test-all lint bench docs frontend

install:
	python -m pip install -e ".[test]"

test:            ## the default local run (a few minutes, on every core; slow and oracle tests skipped)
	python -m pytest -q

test-serial:     ## the same in one process (for -x, --pdb, or a machine where workers get in the way)
	python -m pytest -q -n 0

test-all:        ## what CI runs: every test at full size
	HTRAC_FULL_TESTS=1 python -m pytest -q

bench:           ## benchmarks against the reference (not part of CI)
	python benchmarks/run.py

lint:            ## what CI checks besides the tests: ruff, mypy (config in pyproject.toml)
	python -m ruff check .
	python -m mypy

docs:            ## regenerate docs/cli.md from the commands' --help
	python scripts/gen_cli_docs.py

frontend:        ## rebuild the web UI into src/htrac/server/static (commit the result)
	cd frontend && npm ci --no-audit --no-fund && npm run build
