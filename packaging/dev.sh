#!/usr/bin/env bash
# Setia developer entry point, used by the README's two Quick start commands and by CI.
#   packaging/dev.sh demo   install what is missing, build, open the demo terminal on a demo store
#   packaging/dev.sh test   install what is missing, build, run every test
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
    ctest --preset debug ;;
  asan)
    install_deps
    build asan
    log "running every test under ASan+UBSan"
    ctest --preset asan ;;
  *)
    echo "usage: packaging/dev.sh demo|test|asan|deps" >&2
    exit 2 ;;
esac
