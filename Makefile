# The project's commands. `make test` runs every test; `make run` runs the system locally.
.PHONY: test lint ci run tables moto

CARGO ?= cargo

# moto (PyPI, server mode) in ./.venv: the AWS emulator the integration tests start themselves.
moto:
	@scripts/moto.sh >/dev/null

test: moto
	$(CARGO) test --workspace --locked

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

ci: lint test

run:
	$(CARGO) run --locked -q -p cpor --example walkthrough

tables:
	$(CARGO) run --locked -q -p cpor --example print_tables
