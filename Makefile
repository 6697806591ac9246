# The project's commands. `make test` runs every test; `make run` runs the system locally.
.PHONY: test lint ci run token sweep import-reference feedback walkthrough tables moto browser infra-check package bench soak

CARGO ?= cargo

# moto (PyPI, server mode) in ./.venv: the AWS emulator the integration tests start themselves.
moto:
	@scripts/moto.sh >/dev/null

# Headless Chromium + ChromeDriver (Debian packages) for the consent page's browser test.
browser:
	@scripts/browser.sh

test: moto browser
	$(CARGO) test --workspace --locked

# The concurrent soak at ten times the size `make test` runs (CPOR_SOAK_ACTORS,
# CPOR_SOAK_OPERATIONS): random valid and invalid operations, then every invariant checked.
soak: moto
	$(CARGO) test --locked --test integration soak::the_long_soak -- --ignored --nocapture

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

# The deployment template: regenerated output matches infra/template.py, and cfn-lint passes.
infra-check:
	@scripts/tools.sh
	python3 infra/template.py --check || (echo "infra/template.json is stale: run python3 infra/template.py" && false)
	.venv/bin/cfn-lint infra/template.json
	.venv/bin/openapi-spec-validator docs/openapi.json

# Every function built for Lambda (arm64) as target/lambda/<function>/bootstrap.zip, sizes printed.
package:
	scripts/package.sh

FUNCTIONS := $(notdir $(patsubst %/,%,$(dir $(wildcard functions/*/Cargo.toml))))

# Benchmarks: release builds of every function (x86_64, this machine; with the in-process AWS
# stub compiled in, chosen only by CPOR_CANNED_AWS), the Python peer (awslambdaric + boto3), then
# cpor-bench runs each against a fake Lambda Runtime API; writes bench/REPORT.md and
# bench/report.json (arm64 sizes come from `make package` when it has run).
bench: moto
	scripts/peer.sh
	$(CARGO) test --locked --test integration sweep_cost -- --ignored --nocapture
	$(CARGO) build --locked --release --features cpor/canned-aws $(foreach f,$(FUNCTIONS),-p $(f)) -p cpor-bench
	target/release/cpor-bench --bin-dir target/release --peer .venv-peer/bin/python

ci: lint infra-check test

# The local stack: moto on 127.0.0.1:4566 (MOTO_PORT), the API on 127.0.0.1:9000 (PORT).
run:
	$(CARGO) build --locked -q -p cpor-local
	$(CARGO) run --locked -q -p cpor-local -- serve

# make token PARTNER=4812345 ROLE=incentives_admin [NAME="Fabrikam Ltd"] [LOCATIONS=4812345001,4812345002] [SUB=user-1]
# make token ROLE=reviewer
token:
	@$(CARGO) run --locked -q -p cpor-local -- token --role "$(ROLE)" $(if $(PARTNER),--partner "$(PARTNER)") $(if $(NAME),--name "$(NAME)") $(if $(LOCATIONS),--locations "$(LOCATIONS)") $(if $(SUB),--sub "$(SUB)")

# make sweep AT=2026-12-31T00:00:00Z — the deadline sweep as of that instant, on the running stack.
sweep:
	@$(CARGO) run --locked -q -p cpor-local -- sweep --at "$(AT)"

# MCI reference data into the running stack (replaces the current dataset):
# make import-reference FILE=infra/local/reference-data.json
import-reference:
	@$(CARGO) run --locked -q -p cpor-local -- import-reference --file "$(FILE)"

# An SES report handed to email-feedback on the running stack, as EventBridge would:
# make feedback FILE=events/email-feedback/200-bounce-consent-email.json CLAIM=<claim id>
feedback:
	@$(CARGO) run --locked -q -p cpor-local -- feedback --file "$(FILE)" $(if $(CLAIM),--claim "$(CLAIM)")

# The domain alone: a claim walked through the seed-003 timeline, printed.
walkthrough:
	$(CARGO) run --locked -q -p cpor --example walkthrough

tables:
	$(CARGO) run --locked -q -p cpor --example print_tables
