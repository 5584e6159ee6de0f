# A thin wrapper over CMake (as DuckDB does). The two commands a new user
# needs are `make demo` and `make test`; both install what is missing first.

JOBS ?= $(shell nproc 2>/dev/null || echo 2)
# The test build runs the whole suite under AddressSanitizer and
# UndefinedBehaviorSanitizer together (the ASan build type); `make test
# TEST_BUILD=UBSan` runs it under UndefinedBehaviorSanitizer instead, and
# `TEST_BUILD=TSan` under ThreadSanitizer (an import reads on one thread and
# writes on another), with the suppressions in tests/tsan.supp.
TEST_BUILD ?= ASan
TEST_DIR := build/test-$(shell echo $(TEST_BUILD) | tr A-Z a-z)
RELEASE_DIR := build/release
# The libFuzzer build (Clang): `make fuzz` runs each fuzzer FUZZ_SECONDS.
FUZZ_DIR := build/fuzz
FUZZ_SECONDS ?= 60
OUT ?= out

CMAKE_CONFIGURE = cmake -G Ninja -Wno-dev

.PHONY: all deps test-deps release demo test fuzz bench format format-check clean

all: release

deps:
	@bash scripts/deps.sh

test-deps:
	@bash scripts/deps.sh test

release: deps
	$(CMAKE_CONFIGURE) -S . -B $(RELEASE_DIR) -DCMAKE_BUILD_TYPE=Release \
	  -DWAYMARK_BUILD_TESTS=OFF -DWAYMARK_BUILD_BENCH=ON
	cmake --build $(RELEASE_DIR) -j $(JOBS)

demo: release
	@bash scripts/demo.sh $(RELEASE_DIR) $(OUT)

test: export TSAN_OPTIONS = suppressions=$(CURDIR)/tests/tsan.supp
# With clang, the fuzzers are built too, and ctest's fuzz_smoke runs each a
# few seconds.
test: test-deps
	@if command -v clang++ >/dev/null 2>&1; then \
	  JOBS=$(JOBS) bash scripts/fuzz.sh build $(FUZZ_DIR); fi
	$(CMAKE_CONFIGURE) -S . -B $(TEST_DIR) -DCMAKE_BUILD_TYPE=$(TEST_BUILD) \
	  -DWAYMARK_DEVELOPER=ON -DWAYMARK_BUILD_BENCH=OFF -DWAYMARK_FUZZ_BUILD_DIR=$(CURDIR)/$(FUZZ_DIR)
	cmake --build $(TEST_DIR) -j $(JOBS)
	cd $(TEST_DIR) && ctest --output-on-failure -j $(JOBS)

# Builds the libFuzzer targets with Clang (tests/fuzz/) and runs each for
# FUZZ_SECONDS from a seed corpus made of the synthetic dirty files; prints
# the executions per target and fails if any crashed.
fuzz: test-deps
	@JOBS=$(JOBS) bash scripts/fuzz.sh build $(FUZZ_DIR)
	@bash scripts/fuzz.sh run $(FUZZ_DIR) $(FUZZ_SECONDS)

bench: release
	@bash scripts/bench.sh $(RELEASE_DIR)

format:
	@git ls-files --cached --others --exclude-standard '*.cpp' '*.hpp' | xargs clang-format -i

format-check:
	@git ls-files --cached --others --exclude-standard '*.cpp' '*.hpp' | xargs clang-format --dry-run --Werror

clean:
	rm -rf build $(OUT)
