# Build, install and test the glpi_agent_protocol PHP extension.
#   make demo    the main job: the reference endpoint serving a simulated agent exchange
#   make test    every test (Rust core, stubs, PHPUnit, fuzz smoke, real peers)
SHELL := /bin/bash
PHP ?= php
PHP_CONFIG ?= php-config
CARGO ?= cargo
EXT := $(or $(CARGO_TARGET_DIR),target)/release/libglpi_agent_protocol.so
PHP_EXT := $(PHP) -d extension=$(abspath $(EXT))
FUZZ_SECONDS ?= 20

.PHONY: deps build install uninstall stubs check-stubs lint build-panic-test test test-rust test-php \
        test-fuzz test-peers test-valgrind demo bench bench-load clean

deps:
	@scripts/install-deps.sh

build: deps
	$(CARGO) build --release

$(EXT):
	$(CARGO) build --release

install: build
	install -m 0755 $(EXT) "$$($(PHP_CONFIG) --extension-dir)/glpi_agent_protocol.so"
	@mods=/etc/php/$$($(PHP) -r 'echo PHP_MAJOR_VERSION.".".PHP_MINOR_VERSION;')/mods-available; \
	if [ -d "$$mods" ] && command -v phpenmod >/dev/null; then \
	    install -m 0644 packaging/glpi_agent_protocol.ini "$$mods/glpi_agent_protocol.ini"; \
	    phpenmod glpi_agent_protocol; \
	else \
	    echo "copy packaging/glpi_agent_protocol.ini into the directory that 'php --ini' scans"; \
	fi
	@$(PHP) -m | grep -qx glpi_agent_protocol && echo "installed: php -m lists glpi_agent_protocol"

uninstall:
	-phpdismod glpi_agent_protocol
	rm -f /etc/php/*/mods-available/glpi_agent_protocol.ini
	rm -f "$$($(PHP_CONFIG) --extension-dir)/glpi_agent_protocol.so"

# Written to a temporary file first: a generator that refuses (an undocumented item) leaves
# the stubs as they were.
stubs: build
	$(PHP_EXT) scripts/gen-stubs.php > stubs/.glpi_agent_protocol.stubs.php.tmp
	mv stubs/.glpi_agent_protocol.stubs.php.tmp stubs/glpi_agent_protocol.stubs.php

check-stubs: build
	@$(PHP_EXT) scripts/gen-stubs.php | diff -u stubs/glpi_agent_protocol.stubs.php - \
	    && echo "stubs: up to date with the built extension"

# Drift guards: formatting, every clippy lint (the [lints] table of Cargo.toml included, so
# missing docs and unsafe code outside the modules that allow it fail), and the docs.
lint: deps
	$(CARGO) fmt --check
	$(CARGO) clippy --release --all-targets -- -D warnings
	$(CARGO) clippy --no-default-features --all-targets -- -D warnings
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --no-deps --lib --no-default-features
	@echo "lint: formatting, clippy and docs clean"

test-rust: deps
	$(CARGO) test --no-default-features

# The build with GlpiAgentProtocol\panic_for_test(), kept apart from the extension users load.
PANIC_EXT := $(or $(CARGO_TARGET_DIR),target)/panic-test/release/libglpi_agent_protocol.so
build-panic-test: deps
	CARGO_TARGET_DIR=$(or $(CARGO_TARGET_DIR),target)/panic-test $(CARGO) build --release --features panic-test

test-php: build build-panic-test
	GAP_REQUIRE_PANIC_TEST=1 GAP_PANIC_TEST_EXTENSION=$(abspath $(PANIC_EXT)) \
	    $(PHP_EXT) /usr/bin/phpunit -c phpunit.xml

test-fuzz:
	scripts/fuzz-smoke.sh $(FUZZ_SECONDS)

test-peers: build
	scripts/test-peers.sh

test-valgrind: build
	scripts/test-valgrind.sh

test: build lint test-rust check-stubs test-php test-fuzz test-peers
	@echo "all test suites passed"

demo: build
	scripts/demo.sh

bench: build
	$(PHP_EXT) bench/decode.php
	$(PHP_EXT) bench/register.php
	$(PHP_EXT) bench/answer.php
	$(PHP_EXT) bench/request-cost.php
	$(PHP_EXT) bench/bomb.php

bench-load: build
	bench/load.sh

clean:
	$(CARGO) clean
