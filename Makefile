# make demo  — set up and run the main job on the built-in sample network
# make test  — set up and run the tests
.PHONY: setup demo test lint bench clean

setup:
	scripts/bootstrap

demo: setup
	scripts/demo

test: setup
	.venv/bin/python -m pytest

lint: setup
	.venv/bin/ruff check netops tests
	.venv/bin/mypy netops

clean:
	rm -rf .venv build *.egg-info .pytest_cache
