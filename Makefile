# Sediment: build, test, run and benchmark.
#
#   make run     install what is missing, build, and run `sediment sync` on config/sediment.toml
#   make test    install what is missing, build, and run every test
#   make bench   build in release mode and run the benchmarks (see docs/benchmarks.md)
#   make demo    build, then archive all six hub kinds from a local fixture hub, twice

SHELL := /bin/bash
SWIFT ?= swift
APT_PACKAGES = libgit2-dev libcurl4-openssl-dev libsqlite3-dev git python3 python3-jsonschema pkg-config time ca-certificates curl
CONFIG ?= config/sediment.toml

.PHONY: all deps build release run test bench demo clean

all: build

# Install the system packages that are missing (Debian; needs root or sudo).
deps:
	@missing=""; \
	for p in $(APT_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

run: build
	$(SWIFT) run sediment sync --config $(CONFIG)

# Every test is an XCTest; the closing line sums them up as "N passed, N failed".
test: deps
	$(SWIFT) build --build-tests
	@set -o pipefail; $(SWIFT) test --disable-swift-testing 2>&1 | tee .build/test.log; status=$$?; \
	summary=$$(grep -E "^[[:space:]]*Executed [0-9]+ tests?, with [0-9]+ failures?" .build/test.log | tail -n 1); \
	total=$$(echo "$$summary" | awk '{print $$2}'); failed=$$(echo "$$summary" | awk '{print $$5}'); \
	echo "tests: $$(( $${total:-0} - $${failed:-0} )) passed, $${failed:-0} failed"; \
	exit $$status

bench: release
	bash bench/run.sh

# Works offline: every hub is imitated by local servers on 127.0.0.1.
demo: build
	bash demo/demo.sh

clean:
	rm -rf .build
