# Paddock: `make run` starts the server, `make test` runs every test, `make bench` writes BENCHMARKS.md.
# Each target first installs whatever system package is missing (Debian 12, as root or via sudo).

SHELL := /bin/bash
export PATH := /opt/swift/usr/bin:$(PATH)

SWIFT ?= swift
DATA ?= ./data
LISTEN ?= 127.0.0.1:8080

# System packages: building needs the C libraries; tests drive the real binary with curl,
# build images with mmdebstrap (unshare mode uses uidmap) and run containers with runc;
# the benchmark compares against nginx with wrk, and against raw runc and podman.
BUILD_PACKAGES := libmicrohttpd-dev libsqlite3-dev pkg-config
RUN_PACKAGES   := $(BUILD_PACKAGES) runc mmdebstrap uidmap util-linux nftables iproute2 ca-certificates
TEST_PACKAGES  := $(RUN_PACKAGES) curl sqlite3 python3
BENCH_PACKAGES := $(RUN_PACKAGES) curl wrk nginx-light python3 git podman tar tinyproxy squid

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# install_missing: apt-get install only the packages dpkg does not have yet (quiet otherwise).
define install_missing
	@missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "bootstrap: installing $$missing"; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
	@command -v $(SWIFT) >/dev/null || { echo "bootstrap: Swift 6 toolchain not found (expected /opt/swift/usr/bin/swift)"; exit 1; }
endef

.PHONY: bootstrap bootstrap-run bootstrap-test bootstrap-bench build build-release run test bench clean

bootstrap:
	$(call install_missing,$(BUILD_PACKAGES))

bootstrap-run:
	$(call install_missing,$(RUN_PACKAGES))

bootstrap-test:
	$(call install_missing,$(TEST_PACKAGES))

bootstrap-bench:
	$(call install_missing,$(BENCH_PACKAGES))

build: bootstrap
	$(SWIFT) build

build-release: bootstrap
	$(SWIFT) build -c release --product paddock
	$(SWIFT) build -c release --product paddock-init

## run: build (release) and start the server on $(LISTEN) with its data in $(DATA)
run: bootstrap-run build-release
	.build/release/paddock serve --listen $(LISTEN) --data $(DATA)

## test: build and run every test (unit, HTTP against a real server, CLI against the binary)
test: bootstrap-test
	$(SWIFT) build
	$(SWIFT) test

## bench: benchmarks of design/performance.md, written to BENCHMARKS.md
bench: bootstrap-bench build-release
	bench/run

clean:
	rm -rf .build
