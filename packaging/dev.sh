#!/usr/bin/env bash
# Setia developer entry point, used by the README's two Quick start commands and by CI.
#   packaging/dev.sh demo   install what is missing, build, open the demo terminal on a demo store
#   packaging/dev.sh test   install what is missing, build, run every test, then the fuzzers and
#                           the package checks (packaging/check-packages.sh)
#   packaging/dev.sh fuzz [ci]  build the libFuzzer targets (clang) and run each for a bounded time
#                           (ci: the fixed inputs the test command runs)
#                           (SETIA_FUZZ_SECONDS, default 40; docs/fuzzing.md)
#   packaging/dev.sh asan   the whole test suite under AddressSanitizer + UndefinedBehaviorSanitizer
#   packaging/dev.sh deps   only install what is missing
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

install_deps() {
  mapfile -t wanted < <(sed -e 's/#.*//' -e '/^\s*$/d' packaging/debian-build-deps.txt)
  local missing=()
  for p in "${wanted[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$p")
    fi
  done
  if ((${#missing[@]} == 0)); then
    return 0
  fi
  log "installing ${#missing[@]} Debian packages: ${missing[*]}"
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
}

build() {
  local preset=$1
  log "configuring and building ($preset)"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset"
}

# The libFuzzer targets (tests/fuzz), each run on a copy of its seed corpus in a temporary
# directory, so a run never writes into the source tree. Any crash, leak, sanitizer report,
# timeout or out-of-memory fails; the input that did it is kept in build/fuzz/crashes/ and the
# fuzzer's log is printed.
#   fuzz          explore: a new random seed each time, SETIA_FUZZ_SECONDS (40) per target
#   fuzz ci       the test command's run: fixed seed and a fixed number of inputs
#                 (SETIA_FUZZ_RUNS, 150000) per target, so every machine runs the same inputs
#                 and a result can be reproduced; capped at 180 s per target
fuzz_targets=(fuzz_hid fuzz_magstripe fuzz_scan)
fuzz() {
  local seconds=${SETIA_FUZZ_SECONDS:-40}
  local bound=(-max_total_time="$seconds")
  if [[ ${1:-} == ci ]]; then
    seconds=180
    bound=(-seed=20261201 -runs="${SETIA_FUZZ_RUNS:-150000}" -max_total_time="$seconds")
  fi
  log "configuring and building the fuzz targets (clang)"
  cmake --preset fuzz >/dev/null
  cmake --build --preset fuzz --target "${fuzz_targets[@]}"
  local work failed=0
  work=$(mktemp -d "${TMPDIR:-/tmp}/setia-fuzz.XXXXXX")
  trap "rm -rf '$work'" EXIT
  mkdir -p "$root/build/fuzz/crashes"
  for t in "${fuzz_targets[@]}"; do
    log "fuzzing $t (${bound[*]})"
    mkdir -p "$work/$t/corpus" "$work/$t/artifacts"
    cp -R "$root/tests/fuzz/corpus/$t/." "$work/$t/corpus/"
    # -timeout: one input may take 10 s at most (a hang is a failure); the outer timeout is a
    # last resort should libFuzzer itself not stop.
    if (cd "$work/$t" && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        timeout --kill-after=10 $((seconds + 120)) "$root/build/fuzz/tests/fuzz/$t" "${bound[@]}" \
        -rss_limit_mb=2048 -timeout=10 -max_len=4096 -print_final_stats=1 -artifact_prefix="$work/$t/artifacts/" \
        corpus >"$work/$t/log" 2>&1); then
      grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb)' "$work/$t/log" >&2 || true
    else
      failed=1
      tail -n 60 "$work/$t/log" >&2
      cp "$work/$t/artifacts/"* "$root/build/fuzz/crashes/" 2>/dev/null || true
      log "$t FAILED; the input is in build/fuzz/crashes/ (replay: build/fuzz/tests/fuzz/$t FILE)"
    fi
  done
  return $failed
}

case "${1:-}" in
  deps)
    install_deps ;;
  demo)
    install_deps
    build debug
    db=${SETIA_DEMO_DB:-$root/build/demo/setia-demo.db}
    mkdir -p "$(dirname "$db")"
    log "preparing the demo store $db and opening the terminal"
    # With a display: the terminal window. Without one (a server, CI): the same screens are
    # walked offscreen and saved as screenshots next to the demo store.
    "$root/build/debug/app/setia/setia" --demo --db "$db" ;;
  test)
    install_deps
    build debug
    log "running every test"
    ctest --preset debug
    fuzz ci
    log "building and checking the Debian packages"
    bash packaging/check-packages.sh "$root/build/pkg" ;;
  fuzz)
    install_deps
    fuzz "${2:-}" ;;
  asan)
    install_deps
    build asan
    log "running every test under ASan+UBSan"
    ctest --preset asan ;;
  *)
    echo "usage: packaging/dev.sh demo|test|fuzz|asan|deps" >&2
    exit 2 ;;
esac
