# labctl: the two commands a newcomer needs are `make lab` and `make test` (see README.md).
# Everything else here is a step of those two.
SHELL := /bin/bash
BUILD_DIR ?= build
LABCTL := $(BUILD_DIR)/harness/labctl
JOBS ?= $(shell nproc)
EPISODES ?= all

.PHONY: lab test setup build unit e2e up down status images upstream bench clean help

help:
	@echo "make lab    install prerequisites, build, bring the cluster up, run every episode"
	@echo "make test   build, run the unit and loopback tests, then every episode end to end"
	@echo "            on a real cluster brought up for the run (and torn down after)"
	@echo "steps: setup build unit upstream images up e2e down status bench clean"

## The main job: the lab, on the default cluster for this machine.
lab: setup build up
	$(LABCTL) run $(EPISODES)

## All tests: unit + loopback (ctest), then the episodes end to end on a real cluster.
test: build unit e2e

setup:
	@if [[ $$(id -u) -eq 0 ]]; then host/install-deps.sh; else sudo host/install-deps.sh; fi

build:
	cmake --preset default
	cmake --build $(BUILD_DIR) -j $(JOBS)

unit: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS) --label-exclude e2e

upstream:
	host/build-upstream.sh all

images: build
	images/build.sh

up: build
	$(LABCTL) up

down:
	$(LABCTL) down

status:
	$(LABCTL) status

# Brings a cluster up for the run unless one is already up, runs every episode, and takes
# down only a cluster it brought up itself; on the host provider it then proves `down` left
# nothing behind (host/hostctl.sh check-clean).
e2e: build
	@set -e; started=0; \
	if ! $(LABCTL) status >/dev/null 2>&1; then $(LABCTL) up; started=1; fi; \
	provider=$$($(LABCTL) status 2>/dev/null | head -n 1 | cut -d: -f1); \
	rc=0; ctest --test-dir $(BUILD_DIR) -V -L e2e || rc=$$?; \
	if [[ $$started == 1 && -z "$$LABCTL_KEEP_CLUSTER" ]]; then \
	  $(LABCTL) down || rc=1; \
	  if [[ $$provider == host ]]; then host/hostctl.sh check-clean || rc=1; fi; \
	fi; \
	exit $$rc

bench: build
	bench/stratum/run.sh

clean:
	rm -rf $(BUILD_DIR)
