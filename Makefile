# seedscope — two commands on a fresh machine: `make demo` and `make test`.
SHELL := /bin/bash
SWIFT ?= swift
# Release builds use the host's vector units (AVX-512 here); without this SIMD FMA and Float16
# conversion become library calls (see ../shared/reference/platform.md).
NATIVE := -Xswiftc -target-cpu -Xswiftc native
# Tests run against an optimised build too: the numeric suites (training, matching, fuzzing) are
# 20-50x slower in debug. -enable-testing keeps @testable imports working.
TESTFLAGS := -c release $(NATIVE) -Xswiftc -enable-testing
BIN := .build/release/seedscope
# OpenBLAS falls back to its SSE3 kernel on this machine kind's generic vCPU model; pick the kernel the
# CPU flags support unless the environment already chose one (the binaries do the same by re-exec).
ifeq ($(origin OPENBLAS_CORETYPE), undefined)
  OPENBLAS_CORETYPE := $(shell grep -m1 '^flags' /proc/cpuinfo | grep -q avx512bw && echo SkylakeX || (grep -m1 '^flags' /proc/cpuinfo | grep -q avx2 && echo Haswell))
  ifneq ($(OPENBLAS_CORETYPE),)
    export OPENBLAS_CORETYPE
  endif
endif
# Idle OpenBLAS workers sleep after ~4K cycles instead of spinning ~0.1 s (see BLASKernel.swift);
# the binaries set this themselves, the test runner needs it from here.
OPENBLAS_THREAD_TIMEOUT ?= 12
export OPENBLAS_THREAD_TIMEOUT
APT_PKGS := libncursesw5-dev libopenblas-dev tmux
APT_PKGS += zlib1g-dev
VENV := .build/venv

.PHONY: all deps build release test demo bench fuzz clean venv

all: release

# Install missing Debian packages (apt-get; sudo when not root).
deps:
	@missing=""; for p in $(APT_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "seedscope: installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else \
	    echo "seedscope: need root or sudo to apt-get install$$missing; install them and re-run" >&2; exit 1; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null || { \
	    echo "seedscope: apt-get install$$missing failed" >&2; exit 1; }; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release $(NATIVE) -Xswiftc -enable-testing --build-tests

test: release
	$(SWIFT) test $(TESTFLAGS) --skip-build --parallel --num-workers 2 2>&1 | tee .build/test.log | grep -vE "^(Test Case|\[[0-9]+/[0-9]+\]|Test Suite '.*' (started|passed))" ; \
	status=$${PIPESTATUS[0]}; [ $$status -eq 0 ] || exit $$status
	bash Tests/e2e/run-all.sh $(BIN)

fuzz: release
	SEEDSCOPE_FUZZ_CASES=100000 $(SWIFT) test $(TESTFLAGS) --skip-build --filter Fuzz

demo: release
	bash Examples/demo.sh $(BIN)

$(VENV)/bin/python:
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip

venv: $(VENV)/bin/python
	$(VENV)/bin/pip install -q numpy scipy safetensors torch eai-sparsify


bench: release venv
	.build/release/seedscope-bench --python $(VENV)/bin/python

clean:
	rm -rf .build
