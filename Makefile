# Sediment: build, test, run and benchmark.
#
#   make run     install what is missing, build, and run `sediment daemon` on config/sediment.toml
#   make test    install what is missing, build, and run every test
#   make bench   build in release mode and run the benchmarks, the daemon soak, the 100k-entry index crawl,
#                the object storage, catalog, fleet and serve benchmarks (see docs/benchmarks*.md)
#   make demo    build, then archive the fixture world (six hub kinds, Tests/Fixtures/world.json)
#                twice, and show what changed between the crawls: diff, history, lost refs
#   make install build in release mode and install the binary, its manual page, shell completions
#                (bash, zsh, fish), the systemd units and the configuration (PREFIX=/usr/local,
#                DESTDIR for staging; see docs/operations.md)
#   make uninstall  remove what `make install` put in place, except the configuration
#   make verify-unit  check the systemd units with systemd-analyze (verify, security)
#   make fuzz    build the libFuzzer targets of Fuzz/ and run each for FUZZ_SECONDS (default 60);
#                not part of `make test` (see docs/fuzzing.md)

SHELL := /bin/bash
SWIFT ?= swift
APT_PACKAGES = libgit2-dev libcurl4-openssl-dev libsqlite3-dev libzstd-dev zstd git python3 python3-jsonschema python3-venv pkg-config time ca-certificates curl chromium man-db
CONFIG ?= config/sediment.toml
# PostgreSQL's server (Debian's postgresql, 15 on bookworm), which the tests start themselves in a
# temporary folder: installed when its initdb is missing (the package name alone may be
# "installed" without the server), with policy-rc.d keeping the package's own cluster stopped.
PG_INITDB = /usr/lib/postgresql/*/bin/initdb
# The S3 API the tests and benchmarks run against (moto's server) and the AWS CLI the
# benchmarks compare with, from PyPI, pinned; in a virtual environment of the build folder
# unless the machine has them already. Its bin folder comes first on PATH for tests and benchmarks.
PY_PACKAGES = moto[server]==5.2.1 awscli==1.45.11
VENV = $(CURDIR)/.build/venv
export PATH := $(VENV)/bin:$(PATH)
# The Hugging Face client `sediment serve` is tested with (and benchmarked against), from PyPI,
# pinned, in a virtual environment of its own: the tests run .build/hf-venv/bin/python.
HF_VERSION = 2.4.0
HF_PACKAGES = huggingface_hub==$(HF_VERSION)
HF_VENV = $(CURDIR)/.build/hf-venv

.PHONY: all deps build release run test bench demo clean install uninstall verify-unit fuzz

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
	@if ! ls $(PG_INITDB) >/dev/null 2>&1; then \
		echo "installing: postgresql (its server is for the tests, which start their own)"; \
		SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
		policy=/usr/sbin/policy-rc.d; added=""; \
		if [ ! -e "$$policy" ]; then \
			printf '#!/bin/sh\nexit 101\n' | $$SUDO tee "$$policy" >/dev/null && $$SUDO chmod 0755 "$$policy" && added=1; \
		fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql; status=$$?; \
		if [ -n "$$added" ]; then $$SUDO rm -f "$$policy"; fi; \
		[ $$status = 0 ] && ls $(PG_INITDB) >/dev/null 2>&1 || { echo "postgresql installed no $(PG_INITDB)" >&2; exit 1; }; \
	fi
	@if ! command -v moto_server >/dev/null || ! command -v aws >/dev/null; then \
		echo "installing into $(VENV): $(PY_PACKAGES)"; \
		python3 -m venv "$(VENV)" && "$(VENV)/bin/pip" install -q --disable-pip-version-check $(PY_PACKAGES); \
	fi
	@if ! "$(HF_VENV)/bin/python" -c 'import huggingface_hub, sys; sys.exit(huggingface_hub.__version__ != "$(HF_VERSION)")' 2>/dev/null; then \
		echo "installing into $(HF_VENV): $(HF_PACKAGES)"; \
		python3 -m venv "$(HF_VENV)" && "$(HF_VENV)/bin/pip" install -q --disable-pip-version-check $(HF_PACKAGES); \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

# The main job: the daemon, in the foreground (Ctrl-C stops it); CMD=sync crawls once instead.
CMD ?= daemon
run: build
	$(SWIFT) run sediment $(CMD) --config $(CONFIG)

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
	bash bench/soak.sh
	bash bench/index.sh
	bash bench/s3.sh
	bash bench/catalog.sh
	bash bench/fleet.sh
	bash bench/serve.sh

# Works offline: every hub is imitated by local servers on 127.0.0.1 (Tests/Support/world.py).
demo: build
	bash demo/demo.sh

# Every parser of untrusted input under libFuzzer, FUZZ_SECONDS each (FUZZ_TARGETS=… for some),
# with -rss_limit_mb=512 and a timeout per input; findings go to Fuzz/findings/ (ignored) and
# fail the run.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=
fuzz: deps
	bash Fuzz/build.sh $(FUZZ_TARGETS)
	FUZZ_SECONDS=$(FUZZ_SECONDS) bash Fuzz/run.sh $(FUZZ_TARGETS)

clean:
	rm -rf .build .build-fuzz

# Installation as a service. The units hard-code /usr/local; they are rewritten for PREFIX.
PREFIX ?= /usr/local
DESTDIR ?=
UNIT_DIR ?= /etc/systemd/system
CONFIG_DIR ?= /etc/sediment
MAN_DIR ?= $(PREFIX)/share/man
UNITS = sediment.service sediment-verify.service sediment-verify.timer

# Installs the release binary, the units, the documentation and the configuration. An
# existing $(CONFIG_DIR)/sediment.toml is never overwritten; the example always is.
install: release
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	install -D -m 0755 .build/release/sediment "$(DESTDIR)$(PREFIX)/bin/sediment"; \
	for u in $(UNITS); do \
		sed 's|/usr/local/|$(PREFIX)/|g' systemd/$$u > "$$tmp/$$u"; \
		install -D -m 0644 "$$tmp/$$u" "$(DESTDIR)$(UNIT_DIR)/$$u"; \
	done; \
	install -D -m 0644 docs/operations.md "$(DESTDIR)$(PREFIX)/share/doc/sediment/operations.md"; \
	install -D -m 0644 README.md "$(DESTDIR)$(PREFIX)/share/doc/sediment/README.md"; \
	install -D -m 0644 docs/serve.md "$(DESTDIR)$(PREFIX)/share/doc/sediment/serve.md"; \
	install -D -m 0644 docs/research.md "$(DESTDIR)$(PREFIX)/share/doc/sediment/research.md"; \
	$(SWIFT) package --allow-writing-to-package-directory generate-manual --configuration release >"$$tmp/manual.log" 2>&1 || \
		{ tail -n 20 "$$tmp/manual.log" >&2; exit 1; }; \
	install -D -m 0644 .build/plugins/GenerateManual/outputs/sediment/sediment.1 "$(DESTDIR)$(MAN_DIR)/man1/sediment.1"; \
	.build/release/sediment --generate-completion-script bash > "$$tmp/sediment.bash"; \
	.build/release/sediment --generate-completion-script zsh > "$$tmp/_sediment"; \
	.build/release/sediment --generate-completion-script fish > "$$tmp/sediment.fish"; \
	install -D -m 0644 "$$tmp/sediment.bash" "$(DESTDIR)$(PREFIX)/share/bash-completion/completions/sediment"; \
	install -D -m 0644 "$$tmp/_sediment" "$(DESTDIR)$(PREFIX)/share/zsh/site-functions/_sediment"; \
	install -D -m 0644 "$$tmp/sediment.fish" "$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/sediment.fish"; \
	sed 's|^path = "\.\./data"|path = "/var/lib/sediment"|' config/sediment.toml > "$$tmp/sediment.toml"; \
	grep -q '^path = "/var/lib/sediment"' "$$tmp/sediment.toml" || { echo "config/sediment.toml: [storage] path not found" >&2; exit 1; }; \
	install -D -m 0644 "$$tmp/sediment.toml" "$(DESTDIR)$(CONFIG_DIR)/sediment.toml.example"; \
	if [ -e "$(DESTDIR)$(CONFIG_DIR)/sediment.toml" ]; then \
		echo "kept $(DESTDIR)$(CONFIG_DIR)/sediment.toml (compare with sediment.toml.example)"; \
	else \
		install -m 0644 "$$tmp/sediment.toml" "$(DESTDIR)$(CONFIG_DIR)/sediment.toml"; \
		echo "installed $(DESTDIR)$(CONFIG_DIR)/sediment.toml: edit its [[hub]] tables"; \
	fi; \
	echo "installed $(DESTDIR)$(PREFIX)/bin/sediment, its manual (man sediment), shell completions, and $(UNITS) in $(DESTDIR)$(UNIT_DIR)"; \
	if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then \
		systemctl daemon-reload && echo "systemd reloaded; start with: systemctl enable --now sediment"; \
	else \
		echo "systemd is not running here (or DESTDIR is set); on the target machine run:"; \
		echo "  systemctl daemon-reload && systemctl enable --now sediment"; \
	fi

# Removes the binary, the units and the documentation; keeps $(CONFIG_DIR) and the archive.
uninstall:
	@set -e; \
	if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then \
		systemctl disable --now sediment.service sediment-verify.timer 2>/dev/null || true; \
	fi; \
	rm -f "$(DESTDIR)$(PREFIX)/bin/sediment"; \
	for u in $(UNITS); do rm -f "$(DESTDIR)$(UNIT_DIR)/$$u"; done; \
	rm -rf "$(DESTDIR)$(PREFIX)/share/doc/sediment"; \
	rm -f "$(DESTDIR)$(MAN_DIR)/man1/sediment.1" "$(DESTDIR)$(PREFIX)/share/bash-completion/completions/sediment" \
		"$(DESTDIR)$(PREFIX)/share/zsh/site-functions/_sediment" "$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/sediment.fish"; \
	if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then systemctl daemon-reload; fi; \
	echo "removed sediment; kept $(DESTDIR)$(CONFIG_DIR) and the archive (/var/lib/sediment)"

# systemd-analyze verify must print nothing, and the exposure must stay at or below 2.5.
# When $(PREFIX)/bin/sediment is not installed yet, copies of the units whose ExecStart
# points at /bin/true are verified instead (verify insists that the command exists).
verify-unit:
	@command -v systemd-analyze >/dev/null || { \
		SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq systemd; }
	@set -eo pipefail; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	for u in $(UNITS); do \
		if [ -x "$(PREFIX)/bin/sediment" ]; then sed 's|/usr/local/|$(PREFIX)/|g' systemd/$$u > "$$tmp/$$u"; \
		else sed 's|^ExecStart=/usr/local/bin/sediment |ExecStart=/bin/true |' systemd/$$u > "$$tmp/$$u"; fi; \
	done; \
	[ -x "$(PREFIX)/bin/sediment" ] || echo "$(PREFIX)/bin/sediment is not installed: verifying with ExecStart=/bin/true"; \
	out=$$(systemd-analyze verify $(addprefix "$$tmp"/,$(UNITS)) 2>&1) || { echo "$$out"; exit 1; }; \
	if [ -n "$$out" ]; then echo "$$out"; echo "systemd-analyze verify: warnings" >&2; exit 1; fi; \
	echo "systemd-analyze verify: ok ($(UNITS))"; \
	for u in sediment.service sediment-verify.service; do \
		systemd-analyze security --offline=true --threshold=25 systemd/$$u | tail -n 1; \
	done
