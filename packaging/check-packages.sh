#!/usr/bin/env bash
# check-packages.sh [BUILD_DIR]   (default: build/pkg; configured here if it is not yet)
#
# Proof of the Debian packages (issue #7, docs/install.md):
#   1. builds setia, setiactl, setia-agent, setia-hub in BUILD_DIR and the packages with
#      `cpack -G DEB`, and the provisioning package of packaging/examples/store-example.json;
#   2. lintian on each: any E: fails, W: are listed;
#   3. unpacks each with `dpkg -x` into a scratch root and runs the binaries from there:
#      --version, `setiactl init` + `setiactl verify` on a scratch store, the agent answering
#      GET /v1/health on loopback, the terminal's offscreen walk through its screens
#      (`setia --screenshots DIR --db ...`), the hub on a scratch SQLite database answering
#      GET /v1/health, `setia-hub token`, `setia-hub publish`, the operator's API;
#   4. when the kernel lets us (root, mount namespaces, overlayfs): a real `dpkg -i` of the
#      four packages into a throw-away copy of this system (an overlay over /, chrooted, in a
#      network namespace of its own when possible), which runs the maintainer scripts: user
#      setia, /var/lib/setia, the store made by the store package, `setiactl verify` as setia,
#      the hub's options, operator token and database, upgrades, then purges refusing to delete
#      the store or the hub's database unless SETIA_PURGE_DATA=1. Skipped (said so) when not
#      possible; SETIA_CHECK_NO_CHROOT=1 skips it;
#   4b. in another such overlay, the upgrade from version N (the release before, built from
#      its commit in section 1b, cached in build/old-<commit>) with a real schema change: a
#      store whose migration fails keeps N running (the marker, the hand-over to N's binaries,
#      the data as it was), dpkg-reconfigure setia upgrades it once the cause is gone; then a
#      clean upgrade by the installation. The commit missing from the clone (shallow) fails;
#      SETIA_CHECK_NO_OLD=1 skips version N and this check;
#   5. when systemd-nspawn is there (Debian package systemd-container): the same copy of this
#      system booted with systemd, `dpkg -i` of setia-hub, systemd starting the hardened
#      setia-hub.service until /v1/health answers, the switch to PostgreSQL as docs/install.md
#      says (when PostgreSQL is installed), a second process setia-hub@2, an upgrade
#      restarting both, remove stopping both, purge. SETIA_CHECK_NO_NSPAWN=1 skips it.
# Prints the installed sizes and the timings. Exit 0: all checks passed; 1: a check failed;
# 77: lintian is missing (Debian package lintian). SETIA_CHECK_NO_BUILD=1: package what is already
# built in BUILD_DIR (e.g. while the tree does not compile), building nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD
build=${1:-$src/build/pkg}
build=$(realpath -m "$build")

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
fail() { printf '\033[31mFAIL: %s\033[0m\n' "$*" >&2; failed=1; }
ok() { printf '  ok: %s\n' "$*" >&2; }
failed=0
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
declare -a timings=()

command -v lintian >/dev/null || { echo "check-packages: lintian is missing (apt-get install lintian)" >&2; exit 77; }

work=$(mktemp -d "${TMPDIR:-/tmp}/setia-check-packages.XXXXXX")
agent_pid=
hub_pid=
cleanup() {
  if [[ -n $agent_pid ]]; then kill "$agent_pid" 2>/dev/null || true; wait "$agent_pid" 2>/dev/null || true; fi
  if [[ -n $hub_pid ]]; then kill "$hub_pid" 2>/dev/null || true; wait "$hub_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# ---- 1. build
t=$(now)
if [[ ! -f $build/CMakeCache.txt ]]; then
  log "configuring $build (Release, no tests)"
  cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSETIA_BUILD_TESTS=OFF \
    -DSETIA_BUILD_BENCHMARKS=OFF >/dev/null
fi
if [[ ${SETIA_CHECK_NO_BUILD:-0} == 1 ]]; then
  echo "  SETIA_CHECK_NO_BUILD=1: packaging the executables already built in $build" >&2
  cmake "$build" >/dev/null # only re-configures (packaging files), builds nothing
else
  log "building setia, setiactl, setia-agent, setia-hub in $build"
  cmake --build "$build" --target setia setiactl setia-agent setia-hub
  timings+=("build (incremental): $(since "$t") s")
fi

t=$(now)
log "cpack -G DEB"
rm -rf "$build/packages"
(cd "$build" && cpack -G DEB >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log" >&2; fail "cpack"; exit 1; }
timings+=("cpack -G DEB: $(since "$t") s")
mapfile -t debs < <(find "$build/packages" -maxdepth 1 -name '*.deb' | sort)
t=$(now)
store_deb=$("$src/packaging/make-store-package.sh" "$src/packaging/examples/store-example.json" "$build/packages")
timings+=("make-store-package.sh: $(since "$t") s")
debs+=("$store_deb")
for want in setia setia-agent setia-hub setia-store-kopi-senja-kemang; do
  found=0
  for d in "${debs[@]}"; do [[ $(dpkg-deb -f "$d" Package) == "$want" ]] && found=1; done
  ((found)) && ok "package $want made" || fail "package $want was not made"
done

# ---- 1b. version N, the release before this one, for the upgrade test N -> N+1 of section 4
# Built from its commit (git archive, not a worktree: the clone is left as it is), Release,
# setia + setiactl + setia-agent only, packaged with N's own Packaging.cmake and N's own
# make-store-package.sh (the current one needs setia >= this version). Cached in
# build/old-<commit>/packages: only the first run builds. Update old_commit at each release.
old_commit=${SETIA_CHECK_OLD_COMMIT:-02add0ba53df2a160efaae8f2aabbe165b8e8ffb} # 0.1.0, schema 4
old_version=
old_debs=()
old_note=
old_build() {
  local full cache obuild when t0
  full=$(git -C "$src" rev-parse --verify --quiet "$old_commit^{commit}" 2>/dev/null) || return 1
  cache=$src/build/old-$full
  if [[ ! -f $cache/packages/done ]]; then
    rm -rf "$cache"
    mkdir -p "$cache/src" "$cache/packages"
    git -C "$src" archive "$full" | tar -x -C "$cache/src"
    when=$(git -C "$src" log -1 --format=%ct "$full")
    obuild=$cache/build
    echo "  building version N from $full in $cache (once; cached for the next runs)" >&2
    t0=$(now)
    SOURCE_DATE_EPOCH=$when cmake -S "$cache/src" -B "$obuild" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DSETIA_BUILD_TESTS=OFF -DSETIA_BUILD_BENCHMARKS=OFF >"$cache/configure.log" 2>&1 \
      || { tail -30 "$cache/configure.log" >&2; return 2; }
    cmake --build "$obuild" --target setia setiactl setia-agent >"$cache/build.log" 2>&1 \
      || { tail -40 "$cache/build.log" >&2; return 2; }
    (cd "$obuild" && cpack -G DEB >"$cache/cpack.log" 2>&1) || { tail -30 "$cache/cpack.log" >&2; return 2; }
    find "$obuild/packages" -maxdepth 1 -name '*.deb' -exec cp {} "$cache/packages/" \;
    SOURCE_DATE_EPOCH=$when "$cache/src/packaging/make-store-package.sh" "$cache/src/packaging/examples/store-example.json" \
      "$cache/packages" >/dev/null || return 2
    rm -rf "$obuild" # the packages are what is kept (the objects are ~1 GB)
    since "$t0" >"$cache/packages/build-seconds"
    touch "$cache/packages/done"
    old_note="built now: $(<"$cache/packages/build-seconds") s, cached for the next runs"
  else
    old_note="from the cache in $cache; its build took $(cat "$cache/packages/build-seconds" 2>/dev/null || echo '?') s"
  fi
  mapfile -t old_debs < <(find "$cache/packages" -maxdepth 1 -name '*.deb' | sort)
  old_version=$(dpkg-deb -f "$(find "$cache/packages" -maxdepth 1 -name 'setia_*.deb' | head -1)" Version)
}
if [[ ${SETIA_CHECK_NO_OLD:-0} == 1 ]]; then
  echo "  skipped: version N for the upgrade test (SETIA_CHECK_NO_OLD=1)" >&2
else
  log "version N (the release before) for the upgrade test: $old_commit"
  t=$(now)
  set +e
  old_build
  rc=$?
  set -e
  if ((rc == 1)); then
    fail "the commit $old_commit (version N of the upgrade test) is not in this clone (a shallow clone?): fetch it (git fetch --unshallow) or set SETIA_CHECK_NO_OLD=1 to skip the upgrade test"
  elif ((rc != 0)); then
    fail "building version N from $old_commit"
  else
    for want in setia setia-agent setia-store-kopi-senja-kemang; do
      found=0
      for d in "${old_debs[@]}"; do [[ $(dpkg-deb -f "$d" Package) == "$want" ]] && found=1; done
      ((found)) && ok "version N: package $want $old_version" || fail "version N: package $want was not made"
    done
  fi
  timings+=("version N ($old_version from ${old_commit:0:7}, $old_note): $(since "$t") s")
fi

# ---- 2. lintian
log "lintian"
t=$(now)
for d in "${debs[@]}"; do
  out=$(lintian --no-tag-display-limit "$d" 2>&1) || true
  errors=$(grep -c '^E: ' <<<"$out" || true)
  warnings=$(grep -c '^W: ' <<<"$out" || true)
  echo "  $(basename "$d"): $errors errors, $warnings warnings" >&2
  grep -E '^[EW]: ' <<<"$out" | sed 's/^/    /' >&2 || true
  if ((errors > 0)); then fail "lintian errors in $(basename "$d")"; fi
done
timings+=("lintian (${#debs[@]} packages): $(since "$t") s")

# The desktop entry and the AppStream data, with Debian's own validators when installed.
if command -v appstreamcli >/dev/null; then
  appstreamcli validate --no-net "$src/packaging/desktop/id.setia.Terminal.metainfo.xml" >"$work/as.log" 2>&1 \
    && ok "appstreamcli validate: $(tail -1 "$work/as.log")" || { cat "$work/as.log" >&2; fail "appstreamcli validate"; }
else
  echo "  skipped: appstreamcli validate (Debian package appstream is not installed)" >&2
fi
if command -v desktop-file-validate >/dev/null; then
  desktop-file-validate "$src/packaging/desktop/id.setia.Terminal.desktop" >&2 \
    && ok "desktop-file-validate" || fail "desktop-file-validate"
else
  echo "  skipped: desktop-file-validate (Debian package desktop-file-utils is not installed)" >&2
fi

# ---- 3. sizes, unpack, run from the scratch root
log "installed sizes"
for d in "${debs[@]}"; do
  printf '  %-34s Installed-Size %6s KiB   .deb %6s KiB\n' "$(dpkg-deb -f "$d" Package)" \
    "$(dpkg-deb -f "$d" Installed-Size)" "$(( ($(stat -c %s "$d") + 1023) / 1024 ))" >&2
  echo "  Depends: $(dpkg-deb -f "$d" Depends)" >&2
done
# The hub loads its SQL driver as a Qt plugin (invisible to dpkg-shlibdeps): both by hand.
hub_deb=
for d in "${debs[@]}"; do [[ $(dpkg-deb -f "$d" Package) == setia-hub ]] && hub_deb=$d; done
if [[ -n $hub_deb ]]; then
  hub_depends=$(dpkg-deb -f "$hub_deb" Depends)
  for want in adduser libqt6sql6-sqlite libqt6sql6-psql libqt6httpserver6 libqt6network6 libssl3; do
    grep -Eq "(^|, )$want( |,|$)" <<<"$hub_depends" && ok "setia-hub depends on $want" || fail "setia-hub does not depend on $want"
  done
  grep -q 'libqt6gui6\|libqt6widgets6\|libusb' <<<"$hub_depends" && fail "setia-hub depends on GUI or USB libraries" || ok "setia-hub needs no GUI or USB library"
fi

root=$work/root
mkdir -p "$root"
for d in "${debs[@]}"; do dpkg -x "$d" "$root"; done
export QT_QPA_PLATFORM=offscreen
unset SETIA_DB DISPLAY WAYLAND_DISPLAY
bin=$root/usr/bin
log "running the unpacked binaries from $root"
for f in usr/bin/setia usr/bin/setiactl usr/bin/setia-agent lib/udev/rules.d/70-setia-scanners.rules \
         lib/systemd/system/setia-agent.service usr/share/applications/id.setia.Terminal.desktop \
         usr/share/metainfo/id.setia.Terminal.metainfo.xml usr/share/icons/hicolor/scalable/apps/id.setia.Terminal.svg \
         usr/share/doc/setia/copyright usr/share/doc/setia-agent/copyright etc/setia/store.json \
         usr/bin/setia-hub lib/systemd/system/setia-hub.service lib/systemd/system/setia-hub@.service \
         usr/share/setia-hub/default usr/share/man/man1/setia-hub.1.gz usr/share/doc/setia-hub/copyright \
         usr/share/doc/setia-hub/sync.md usr/share/doc/setia-hub/install.md; do
  [[ -e $root/$f ]] && ok "/$f installed" || fail "/$f missing from the packages"
done
# The binaries must use only system libraries (no path into the build tree).
for b in setia setiactl setia-agent setia-hub; do
  if ldd "$bin/$b" | grep -q 'not found'; then fail "$b: a library is missing: $(ldd "$bin/$b" | grep 'not found')"; fi
  if ldd "$bin/$b" | grep -q "$build"; then fail "$b links a library from the build tree"; fi
done

version=$(sed -n 's/^project(Setia VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
v=$("$bin/setiactl" --version) && [[ $v == "setiactl $version" ]] && ok "setiactl --version: $v" || fail "setiactl --version: '$v' (want setiactl $version)"
v=$("$bin/setia-agent" --version) && [[ $v == "setia-agent $version" ]] && ok "setia-agent --version: $v" || fail "setia-agent --version: '$v' (want setia-agent $version)"
if "$bin/setia" --version >"$work/setia-version" 2>&1; then
  ok "setia --version: $(cat "$work/setia-version")"
else
  echo "  note: setia has no --version (its QCommandLineParser has no addVersionOption); --help instead" >&2
  "$bin/setia" --help >/dev/null && ok "setia --help starts" || fail "setia --help"
fi
"$bin/setia-agent" --help >/dev/null && ok "setia-agent --help" || fail "setia-agent --help"

db=$work/store/setia.db
mkdir -p "$work/store"
t=$(now)
if "$bin/setiactl" --db "$db" --actor check init --store-id check-store --store-name "Toko Cek" --time-zone Asia/Jakarta >"$work/init.log" 2>&1; then
  ok "setiactl init ($(since "$t") s)"
else
  cat "$work/init.log" >&2; fail "setiactl init"
fi
"$bin/setiactl" --db "$db" --actor check member enroll --name "Siti Cek" --phone 0812-0000-1111 >/dev/null 2>&1 \
  && ok "setiactl member enroll" || fail "setiactl member enroll"
if "$bin/setiactl" --db "$db" verify >"$work/verify.log" 2>&1; then ok "setiactl verify: $(head -1 "$work/verify.log")"; else cat "$work/verify.log" >&2; fail "setiactl verify"; fi

# The agent on loopback: GET /v1/health (no token needed), bounded to 20 s.
t=$(now)
"$bin/setia-agent" --db "$db" --token-file "$work/store/agent.token" --port 0 --no-usb --no-contactless \
  >"$work/agent.out" 2>"$work/agent.err" &
agent_pid=$!
port=
for _ in $(seq 200); do
  port=$(sed -n 's#.*listening on http://127.0.0.1:\([0-9]*\).*#\1#p' "$work/agent.out")
  [[ -n $port ]] && break
  kill -0 "$agent_pid" 2>/dev/null || break
  sleep 0.1
done
if [[ -n $port ]] && health=$(curl -s --max-time 5 "http://127.0.0.1:$port/v1/health") && grep -q '"status":"ok"' <<<"$health"; then
  ok "setia-agent answers on 127.0.0.1:$port after $(since "$t") s: $health"
else
  cat "$work/agent.err" >&2; fail "setia-agent did not answer GET /v1/health"
fi
kill "$agent_pid" 2>/dev/null || true; wait "$agent_pid" 2>/dev/null || true; agent_pid=

t=$(now)
if "$bin/setia" --db "$db" --screenshots "$work/shots" >"$work/shots.log" 2>&1; then
  n=$(find "$work/shots" -name '*.png' | wc -l)
  ((n >= 10)) && ok "setia offscreen walk: $n screenshots in $(since "$t") s" || fail "setia offscreen walk saved only $n screenshots"
else
  tail -20 "$work/shots.log" >&2; fail "setia --screenshots"
fi

# The store package: what it carries.
if python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); assert s["store_id"]=="kopi-senja-kemang" and s["hub_fingerprint"].startswith("sha256:")' \
     "$root/etc/setia/store.json" 2>/dev/null; then ok "store.json carries the example store"; else fail "store.json"; fi
[[ $(stat -c %a "$root/etc/setia/store.json") == 640 ]] && ok "store.json is 0640 in the package" || fail "store.json mode"
if "$src/packaging/make-store-package.sh" /dev/null "$work" >/dev/null 2>&1; then fail "a bad store file made a package"; else ok "a bad store file is refused"; fi

# The hub from the unpacked tree: a scratch SQLite database, any free port (--port-file).
v=$("$bin/setia-hub" --version) && [[ $v == "setia-hub $version" ]] && ok "setia-hub --version: $v" || fail "setia-hub --version: '$v' (want setia-hub $version)"
hubdir=$work/hub
mkdir -p "$hubdir"
t=$(now)
"$bin/setia-hub" --db "$hubdir/hub.db" --listen 127.0.0.1:0 --port-file "$hubdir/port" >"$hubdir/out" 2>"$hubdir/err" &
hub_pid=$!
port=
for _ in $(seq 200); do
  [[ -s $hubdir/port ]] && { port=$(<"$hubdir/port"); break; }
  kill -0 "$hub_pid" 2>/dev/null || break
  sleep 0.1
done
if [[ -n $port ]] && health=$(curl -s --max-time 5 "http://127.0.0.1:$port/v1/health") && grep -q '"status":"ok"' <<<"$health"; then
  ok "setia-hub answers GET /v1/health on 127.0.0.1:$port (--port-file) after $(since "$t") s: $health"
else
  cat "$hubdir/err" >&2; fail "setia-hub did not answer GET /v1/health"
fi
[[ $(stat -c %a "$hubdir/hub.db.operator-token" 2>/dev/null) == 600 && $(stat -c %a "$hubdir/hub.db.key" 2>/dev/null) == 600 ]] \
  && ok "the hub made hub.db.key and hub.db.operator-token, 0600" || fail "hub files: $(ls -l "$hubdir" 2>&1)"
# token and publish work on the database while the hub serves it
if tok=$("$bin/setia-hub" token --db "$hubdir/hub.db" --store s1 --name "Kasir 1" 2>"$hubdir/token.err") \
   && [[ $tok =~ ^setia-enroll-[A-Za-z0-9_-]{32}$ ]]; then
  ok "setia-hub token --store s1: $tok"
else
  cat "$hubdir/token.err" >&2; fail "setia-hub token --store s1 printed '$tok'"
fi
out=$(cat "$src/resources/programs/demo-program.json" | "$bin/setia-hub" publish /dev/stdin --db "$hubdir/hub.db" 2>&1) \
  && grep -q '^program version [0-9]* published$' <<<"$out" && ok "setia-hub publish (from a pipe): $out" || fail "setia-hub publish: $out"
op=$(<"$hubdir/hub.db.operator-token")
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$port/v1/admin/terminals" || true)
[[ $code == 401 ]] && ok "the operator's API without the token: 401" || fail "the operator's API without the token: $code"
code=$(curl -s -o "$hubdir/tokens.json" -w '%{http_code}' --max-time 5 -H "Authorization: Bearer $op" -H 'Content-Type: application/json' \
  --data '{"storeId":"s2","name":"Kasir 2"}' "http://127.0.0.1:$port/v1/admin/tokens" || true)
[[ $code == 201 ]] && grep -q '"token":"setia-enroll-' "$hubdir/tokens.json" && ok "POST /v1/admin/tokens with the operator's token: 201" \
  || fail "POST /v1/admin/tokens: $code $(cat "$hubdir/tokens.json" 2>/dev/null)"
kill "$hub_pid" 2>/dev/null || true
wait "$hub_pid" 2>/dev/null && ok "setia-hub stops on SIGTERM with exit 0" || fail "setia-hub exit status on SIGTERM: $?"
hub_pid=
# An operator token others may read: the hub refuses to start.
chmod 0644 "$hubdir/hub.db.operator-token"
if timeout 20 "$bin/setia-hub" --db "$hubdir/hub.db" --listen 127.0.0.1:0 >/dev/null 2>"$hubdir/err2"; then
  fail "setia-hub started with a world-readable operator token"
else
  grep -q 'may be read by anybody' "$hubdir/err2" && ok "a world-readable operator token stops the hub: $(cat "$hubdir/err2")" || { cat "$hubdir/err2" >&2; fail "setia-hub refused otherwise"; }
fi

# ---- 4. dpkg -i into an overlay of this system, maintainer scripts included
# in_overlay OV SCRIPT [VAR=VALUE...]: runs SCRIPT (a path inside) in a throw-away copy of this
# system, an overlay over / whose changes go to OV/upper, chrooted, with /dev, /proc and a fresh
# /run; in a network namespace of its own (only lo) when the kernel lets us, so the hub's port
# 8470 and the agent's port are ours alone.
in_overlay() {
  local ov=$1 script=$2
  shift 2
  local netns=()
  if unshare -n true 2>/dev/null && command -v ip >/dev/null; then netns=(-n); fi
  unshare -m "${netns[@]}" --propagation private sh -c '
    set -e
    ov=$1 net=$2 script=$3
    shift 3
    if [ -n "$net" ]; then ip link set lo up; fi
    mount -t overlay overlay -o "lowerdir=/,upperdir=$ov/upper,workdir=$ov/work" "$ov/merged"
    mount --rbind /dev "$ov/merged/dev"
    mount -t proc proc "$ov/merged/proc"
    mount -t tmpfs tmpfs "$ov/merged/run"
    exec chroot "$ov/merged" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@" sh "$script"
  ' sh "$ov" "${netns[*]}" "$script" "$@"
}

chroot_check() {
  local ov=$work/ov
  mkdir -p "$ov/upper" "$ov/work" "$ov/merged"
  cp "${debs[@]}" "$work/"
  cat >"$work/inside.sh" <<'INSIDE'
set -u
cd /tmp/setia-debs
fail() { echo "FAIL: $*"; bad=1; }
ok() { echo "  ok: $*"; }
bad=0
for p in setia-store-kopi-senja-kemang setia-agent setia setia-hub; do
  dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed && { echo "SKIP: $p is installed on this system"; exit 77; }
done
t0=$(date +%s.%N)
if dpkg -i setia_*.deb setia-agent_*.deb setia-store-*.deb >/tmp/dpkg-i.log 2>&1; then
  ok "dpkg -i of the three packages in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b-a}') s"
else
  cat /tmp/dpkg-i.log; fail "dpkg -i"
fi
grep -E '^Setia' /tmp/dpkg-i.log | sed 's/^/    /'
getent passwd setia | grep -q ':/var/lib/setia:/usr/sbin/nologin$' && ok "system user setia" || fail "user setia"
[ "$(stat -c '%U:%G %a' /var/lib/setia)" = "setia:setia 2770" ] && ok "/var/lib/setia setia:setia 2770" || fail "/var/lib/setia is $(stat -c '%U:%G %a' /var/lib/setia)"
[ "$(stat -c '%U:%G %a' /etc/setia/store.json)" = "root:setia 640" ] && ok "/etc/setia/store.json root:setia 0640" || fail "store.json is $(stat -c '%U:%G %a' /etc/setia/store.json)"
[ "$(stat -c '%U:%G %a' /var/lib/setia/setia.db.key)" = "setia:setia 640" ] && ok "the store's key is setia's, 0640 for the group" || fail "key $(stat -c '%U:%G %a' /var/lib/setia/setia.db.key)"
[ "$(stat -c '%U:%G %a' /var/lib/setia/setia.db)" = "setia:setia 660" ] && ok "the store is setia's, 0660 for the group" || fail "store $(stat -c '%U:%G %a' /var/lib/setia/setia.db)"
[ "$(runuser -u setia -- setiactl --db /var/lib/setia/setia.db setting store_id)" = kopi-senja-kemang ] && ok "store kopi-senja-kemang made by the store package" || fail "store id"
[ "$(runuser -u setia -- setiactl --db /var/lib/setia/setia.db setting hub_url)" = https://hub.example.id:8443 ] && ok "hub_url set" || fail "hub_url"
runuser -u setia -- setiactl --db /var/lib/setia/setia.db verify >/dev/null && ok "setiactl verify as setia" || fail "verify"
[ -L /etc/systemd/system/multi-user.target.wants/setia-agent.service ] && ok "setia-agent.service enabled" || fail "setia-agent.service not enabled"
runuser -u setia -- setiactl --db /var/lib/setia/setia.db program show | head -1 | grep -q . && ok "program in force: $(runuser -u setia -- setiactl --db /var/lib/setia/setia.db program show | head -1)" || fail "no program"
# No systemd in here: the unit's ExecStart (as its User=setia), until GET /v1/health answers.
runuser -u setia -- setia-agent --db /var/lib/setia/setia.db --key /var/lib/setia/setia.db.key \
  --token-file /var/lib/setia/agent.token --port 0 --no-usb --no-contactless >/tmp/agent.out 2>/tmp/agent.err &
apid=$!
port=
i=0
while [ $i -lt 200 ] && [ -z "$port" ]; do
  port=$(sed -n 's#.*listening on http://127.0.0.1:\([0-9]*\).*#\1#p' /tmp/agent.out); i=$((i + 1)); [ -n "$port" ] || sleep 0.1
done
if [ -n "$port" ] && curl -s --max-time 5 "http://127.0.0.1:$port/v1/health" | grep -q '"status":"ok"'; then
  ok "the agent (as setia, the unit's command) answers /v1/health $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b-a}') s after dpkg -i began"
else
  cat /tmp/agent.err; fail "the agent on the provisioned store"
fi
[ "$(stat -c '%U %a' /var/lib/setia/agent.token 2>/dev/null)" = "setia 640" ] && ok "agent.token made, setia 0640" || fail "agent.token $(stat -c '%U %a' /var/lib/setia/agent.token 2>&1)"
kill $apid 2>/dev/null; wait $apid 2>/dev/null
# Some data, then an upgrade (the same packages repacked as version N+1): data intact.
runuser -u setia -- setiactl --db /var/lib/setia/setia.db --actor check member enroll --name "Budi Cek" --phone 0813-0000-2222 >/dev/null \
  && runuser -u setia -- setiactl --db /var/lib/setia/setia.db --actor check earn --member 0813-0000-2222 --receipt UP-1 --total 150000 >/dev/null \
  && ok "data made: a member and an earn" || fail "making data"
before=$(runuser -u setia -- setiactl --db /var/lib/setia/setia.db --json member show 0813-0000-2222 | tr -d ' \n' | grep -o '"balance":[0-9]*' | head -1)
for p in setia setia-agent; do
  rm -rf /tmp/repack && dpkg-deb -R ${p}_*.deb /tmp/repack
  sed -i -e 's/^Version: \(.*\)$/Version: \1+up1/' -e 's/setia (= \([^)]*\))/setia (= \1+up1)/' /tmp/repack/DEBIAN/control
  dpkg-deb --root-owner-group -b /tmp/repack /tmp/${p}_up1.deb >/dev/null
done
if dpkg -i /tmp/setia_up1.deb /tmp/setia-agent_up1.deb >/tmp/up.log 2>&1; then
  ok "upgrade to $(dpkg-query -W -f='${Version}' setia)"
else
  cat /tmp/up.log; fail "upgrade"
fi
after=$(runuser -u setia -- setiactl --db /var/lib/setia/setia.db --json member show 0813-0000-2222 | tr -d ' \n' | grep -o '"balance":[0-9]*' | head -1)
[ -n "$before" ] && [ "$before" = "$after" ] && runuser -u setia -- setiactl --db /var/lib/setia/setia.db verify >/dev/null \
  && ok "after the upgrade: $after as before, verify passes" || fail "data after the upgrade: '$before' then '$after'"
t1=$(date +%s.%N)
shots=$(runuser -u setia -- mktemp -d /tmp/setia-shots.XXXXXX)
if runuser -u setia -- sh -c "cd /var/lib/setia && QT_QPA_PLATFORM=offscreen setia --db /var/lib/setia/setia.db --screenshots $shots" >/tmp/shots.log 2>&1; then
  ok "ready to scan: the terminal as setia on the provisioned store, $(ls "$shots" | wc -l) screens in $(awk -v a="$t1" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b-a}') s"
else
  tail -15 /tmp/shots.log; fail "terminal on the provisioned store"
fi
# The cashier's own desktop account, in the group setia, opens the store (read and write) and
# runs the terminal on it; an account outside the group is refused.
adduser --disabled-password --gecos "" --quiet kasir >/dev/null && adduser --quiet kasir setia >/dev/null
adduser --disabled-password --gecos "" --quiet tamu >/dev/null
if (cd /tmp && runuser -u kasir -- setiactl --db /var/lib/setia/setia.db --actor kasir earn --member 0813-0000-2222 --receipt KASIR-1 --total 50000 >/tmp/kasir.log 2>&1) \
  && (cd /tmp && runuser -u kasir -- setiactl --db /var/lib/setia/setia.db verify >>/tmp/kasir.log 2>&1); then
  ok "the cashier's account (kasir, in the group setia) earns on the till's store and verify passes"
else
  cat /tmp/kasir.log; fail "the cashier's account on the till's store"
fi
kshots=$(runuser -u kasir -- mktemp -d /tmp/kasir-shots.XXXXXX)
if runuser -u kasir -- sh -c "cd /tmp && QT_QPA_PLATFORM=offscreen setia --db /var/lib/setia/setia.db --screenshots $kshots" >/tmp/kshots.log 2>&1; then
  ok "the terminal app as kasir on the till's store: $(ls "$kshots" | wc -l) screens"
else
  tail -15 /tmp/kshots.log; fail "the terminal app as kasir"
fi
runuser -u setia -- setiactl --db /var/lib/setia/setia.db verify >/dev/null \
  && [ -z "$(find /var/lib/setia -maxdepth 1 -name 'setia.db*' ! -group setia)" ] \
  && ok "after kasir: verify as setia passes, every store file still in the group setia" || fail "store after kasir: $(ls -l /var/lib/setia)"
if (cd /tmp && runuser -u tamu -- setiactl --db /var/lib/setia/setia.db verify >/tmp/tamu.log 2>&1); then
  fail "an account outside the group setia opened the store"
else
  ok "an account outside the group (tamu) cannot open the store: $(head -1 /tmp/tamu.log)"
fi
deluser --quiet kasir >/dev/null 2>&1 || true
deluser --quiet tamu >/dev/null 2>&1 || true
# The hub on the same machine (a back office that is a till too): setia-hub finds the user and
# /var/lib/setia the till's package made, and leaves the store alone.
th=$(date +%s.%N)
if dpkg -i setia-hub_*.deb >/tmp/hub-i.log 2>&1; then
  ok "dpkg -i setia-hub in $(awk -v a="$th" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b-a}') s"
else
  cat /tmp/hub-i.log; fail "dpkg -i setia-hub"
fi
grep -E '^setia-hub' /tmp/hub-i.log | sed 's/^/    /'
grep -q 'operator.s token is in /etc/setia/hub-operator.token' /tmp/hub-i.log && ok "the installer is told where the operator's token is" || fail "no word on the operator's token"
[ "$(stat -c '%U:%G %a' /var/lib/setia)" = "setia:setia 2770" ] && ok "/var/lib/setia still setia:setia 2770" || fail "/var/lib/setia is $(stat -c '%U:%G %a' /var/lib/setia)"
runuser -u setia -- setiactl --db /var/lib/setia/setia.db verify >/dev/null && ok "the till's store untouched by setia-hub" || fail "store after setia-hub"
[ "$(stat -c '%U:%G %a' /etc/setia/hub-operator.token)" = "root:setia 640" ] && grep -Eqx '[0-9a-f]{64}' /etc/setia/hub-operator.token \
  && ok "/etc/setia/hub-operator.token root:setia 0640, 64 hex digits" || fail "operator token: $(stat -c '%U:%G %a' /etc/setia/hub-operator.token 2>&1)"
cmp -s /etc/default/setia-hub /usr/share/setia-hub/default && [ "$(stat -c '%U:%G %a' /etc/default/setia-hub)" = "root:root 644" ] \
  && ok "/etc/default/setia-hub made from /usr/share/setia-hub/default" || fail "/etc/default/setia-hub"
[ -L /etc/systemd/system/multi-user.target.wants/setia-hub.service ] && ok "setia-hub.service enabled" || fail "setia-hub.service not enabled"
if systemd-analyze verify /lib/systemd/system/setia-hub.service /lib/systemd/system/setia-hub@.service >/tmp/verify.log 2>&1; then
  ok "systemd-analyze verify: setia-hub.service, setia-hub@.service"
else
  cat /tmp/verify.log; fail "systemd-analyze verify of the hub's units"
fi
# No systemd in here: the unit's command as its User=setia, its ExecStart with SETIA_HUB_ARGS
# from its EnvironmentFile (split as systemd does: at white space, quotes respected).
grep -qx 'ExecStart=/usr/bin/setia-hub $SETIA_HUB_ARGS' /lib/systemd/system/setia-hub.service \
  && grep -qx 'EnvironmentFile=/etc/default/setia-hub' /lib/systemd/system/setia-hub.service || fail "the unit's ExecStart or EnvironmentFile changed"
start_hub() {
  ( . /etc/default/setia-hub; eval "set -- $SETIA_HUB_ARGS"; exec runuser -u setia -- /usr/bin/setia-hub "$@" ) >/tmp/hub.out 2>/tmp/hub.err &
  hpid=$!
  health=
  i=0
  while [ $i -lt 300 ] && [ -z "$health" ]; do
    health=$(curl -s --max-time 2 http://127.0.0.1:8470/v1/health | grep '"status":"ok"'); i=$((i + 1)); [ -n "$health" ] || sleep 0.1
  done
}
start_hub
if [ -n "$health" ]; then
  ok "the hub (as setia, the unit's command) answers on 127.0.0.1:8470 $(awk -v a="$th" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b-a}') s after dpkg -i began: $health"
else
  cat /tmp/hub.err; fail "the hub from its unit's command"
fi
hub_id=$(echo "$health" | grep -o '"hubId":"[^"]*"')
tok=$(runuser -u setia -- setia-hub token --store kopi-senja-kemang --name "Kasir 1")
echo "$tok" | grep -Eqx 'setia-enroll-[A-Za-z0-9_-]{32}' && ok "runuser -u setia -- setia-hub token --store kopi-senja-kemang: $tok" || fail "token: $tok"
out=$(runuser -u setia -- setia-hub publish /tmp/setia-debs/demo-program.json 2>&1) && ok "setia-hub publish as setia: $(echo "$out" | tail -1)" || fail "publish: $out"
op=$(cat /etc/setia/hub-operator.token)
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $op" http://127.0.0.1:8470/v1/admin/terminals)" = 200 ] \
  && ok "the operator's API with /etc/setia/hub-operator.token: 200" || fail "operator API with the package's token"
[ -z "$(find /var/lib/setia -name 'hub.db*' ! -user setia)" ] && ok "every hub.db* file is setia's: $(cd /var/lib/setia && ls -d hub.db* | tr '\n' ' ')" || fail "hub files not setia's: $(ls -l /var/lib/setia)"
# Upgrade: the admin's options and the token are kept, the database too (same hub id).
echo '# edited by the operator' >>/etc/default/setia-hub
sum_before=$(cat /etc/default/setia-hub /etc/setia/hub-operator.token | md5sum)
kill $hpid 2>/dev/null; wait $hpid 2>/dev/null
rm -rf /tmp/repack && dpkg-deb -R setia-hub_*.deb /tmp/repack
sed -i -e 's/^Version: \(.*\)$/Version: \1+up1/' /tmp/repack/DEBIAN/control
dpkg-deb --root-owner-group -b /tmp/repack /tmp/setia-hub_up1.deb >/dev/null
dpkg -i /tmp/setia-hub_up1.deb >/tmp/hub-up.log 2>&1 && ok "upgrade to setia-hub $(dpkg-query -W -f='${Version}' setia-hub)" || { cat /tmp/hub-up.log; fail "setia-hub upgrade"; }
[ "$sum_before" = "$(cat /etc/default/setia-hub /etc/setia/hub-operator.token | md5sum)" ] && ok "the upgrade kept /etc/default/setia-hub (edited) and the token" || fail "the upgrade changed the hub's options or token"
start_hub
[ -n "$health" ] && [ "$(echo "$health" | grep -o '"hubId":"[^"]*"')" = "$hub_id" ] && ok "after the upgrade the hub answers with its database ($hub_id)" || { cat /tmp/hub.err; fail "hub after the upgrade: $health"; }
kill $hpid 2>/dev/null; wait $hpid 2>/dev/null
# reinstall of the store package: the store is left as it is
dpkg -i setia-store-*.deb >/tmp/again.log 2>&1 && grep -q 'already in' /tmp/again.log && ok "store package again: store left as it is" || { cat /tmp/again.log; fail "store package reinstall"; }
# remove keeps data
dpkg -r setia-store-kopi-senja-kemang setia-agent setia >/tmp/r.log 2>&1 || { cat /tmp/r.log; fail "dpkg -r"; }
[ -e /var/lib/setia/setia.db ] && ok "remove keeps /var/lib/setia/setia.db" || fail "remove deleted the store"
# purge refuses while there is a database
dpkg --purge setia-store-kopi-senja-kemang setia-agent setia >/tmp/p.log 2>&1
rc=$?
if [ $rc -eq 0 ]; then
  fail "purge did not refuse"
else
  grep -q 'REFUSING TO DELETE THE STORE' /tmp/p.log && ok "purge refuses loudly (dpkg exit $rc; states: $(dpkg-query -W -f='${Package}=${db:Status-Abbrev} ' setia setia-agent))" || { cat /tmp/p.log; fail "purge failed otherwise"; }
fi
[ -e /var/lib/setia/setia.db ] && ok "the store survived the refused purge" || fail "the store is gone"
[ -e /etc/setia/store.json ] && fail "store.json kept after purge of its package" || ok "store.json purged with its package"
SETIA_PURGE_DATA=1 dpkg --purge setia-agent setia >/tmp/p2.log 2>&1 && ok "SETIA_PURGE_DATA=1 dpkg --purge setia" || { cat /tmp/p2.log; fail "purge with SETIA_PURGE_DATA=1"; }
[ ! -e /var/lib/setia/setia.db ] && [ ! -e /var/lib/setia/setia.db.key ] && [ ! -e /var/lib/setia/agent.token ] \
  && ok "the till's store deleted on the forced purge" || fail "till files left: $(ls /var/lib/setia)"
[ -e /var/lib/setia/hub.db ] && [ -e /var/lib/setia/hub.db.key ] && grep -q 'stays for the hub' /tmp/p2.log \
  && ok "the hub's database kept by the till's purge: $(ls /var/lib/setia | tr '\n' ' ')" || { cat /tmp/p2.log; fail "the till's purge touched the hub"; }
# The hub: remove keeps everything, purge refuses while hub.db* is there, SETIA_PURGE_DATA=1 deletes.
dpkg -r setia-hub >/tmp/hr.log 2>&1 || { cat /tmp/hr.log; fail "dpkg -r setia-hub"; }
[ -e /var/lib/setia/hub.db ] && [ -e /etc/default/setia-hub ] && [ -e /etc/setia/hub-operator.token ] && [ ! -e /usr/bin/setia-hub ] \
  && ok "dpkg -r setia-hub keeps the database, the options and the token" || fail "dpkg -r setia-hub deleted data"
dpkg --purge setia-hub >/tmp/hp.log 2>&1
rc=$?
if [ $rc -ne 0 ] && grep -q "REFUSING TO DELETE THE HUB'S DATABASE" /tmp/hp.log; then
  ok "purge of setia-hub refuses loudly (dpkg exit $rc; state $(dpkg-query -W -f='${db:Status-Abbrev}' setia-hub))"
else
  cat /tmp/hp.log; fail "purge of setia-hub did not refuse (exit $rc)"
fi
[ -e /var/lib/setia/hub.db ] && [ -e /var/lib/setia/hub.db.key ] && [ -e /etc/default/setia-hub ] && [ -e /etc/setia/hub-operator.token ] \
  && ok "the refused purge deleted nothing (database, key, options, token)" || fail "the refused purge deleted something"
SETIA_PURGE_DATA=1 dpkg --purge setia-hub >/tmp/hp2.log 2>&1 && ok "SETIA_PURGE_DATA=1 dpkg --purge setia-hub" || { cat /tmp/hp2.log; fail "forced purge of setia-hub"; }
[ ! -e /var/lib/setia ] && [ ! -e /etc/setia ] && [ ! -e /etc/default/setia-hub ] \
  && ok "/var/lib/setia, /etc/setia, /etc/default/setia-hub deleted on the forced purge" || fail "left after the purges: $(ls -d /var/lib/setia /etc/setia /etc/default/setia-hub 2>/dev/null)"
getent passwd setia >/dev/null && ok "the user setia stays (by design)" || fail "the user setia was deleted"
exit $bad
INSIDE
  mkdir -p "$ov/upper/tmp/setia-debs"
  chmod 1777 "$ov/upper/tmp" # the upper layer's directory modes win: keep /tmp as it is
  cp "${debs[@]}" "$work/inside.sh" "$src/resources/programs/demo-program.json" "$ov/upper/tmp/setia-debs/"
  in_overlay "$ov" /tmp/setia-debs/inside.sh
}
if [[ ${SETIA_CHECK_NO_CHROOT:-0} == 1 ]]; then
  echo "  skipped: the dpkg -i check (SETIA_CHECK_NO_CHROOT=1)" >&2
elif [[ $(id -u) -ne 0 ]] || ! unshare -m true 2>/dev/null || ! grep -qw overlay /proc/filesystems; then
  echo "  skipped: the dpkg -i check (needs root, mount namespaces and overlayfs)" >&2
else
  log "dpkg -i into an overlay of this system (maintainer scripts, purge)"
  t=$(now)
  set +e
  chroot_check
  rc=$?
  set -e
  timings+=("dpkg -i / purge check: $(since "$t") s")
  if ((rc == 77)); then echo "  skipped: Setia packages are installed on this system itself" >&2
  elif ((rc != 0)); then fail "the dpkg -i check"; fi
fi

# ---- 4b. the upgrade N -> N+1 with a real schema change (schema 4 -> 7, three steps in one transaction), in an overlay of its own:
# version N (section 1b) installed with its store package, data made; then (1) a store made to
# fail the migration (a table named like the index schema 5 creates, as tst_idempotency does):
# the current packages install, say loudly that the store was not upgraded, and the till goes on
# with N's binaries (kept in /var/lib/setia/previous/, the marker ACTIVE, the hand-over of
# app/core/fallback.h); the cause removed, dpkg-reconfigure setia upgrades it; then (2) after a
# purge, N again and a clean upgrade by the package installation.
upgrade_check() {
  local ov=$work/ov-upgrade
  mkdir -p "$ov/upper/tmp/setia-debs/old" "$ov/work" "$ov/merged"
  cat >"$ov/upper/tmp/setia-debs/upgrade.sh" <<'INSIDE'
set -u
cd /tmp/setia-debs
fail() { echo "FAIL: $*"; bad=1; }
ok() { echo "  ok: $*"; }
bad=0
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b-a}'; }
for p in setia-store-kopi-senja-kemang setia-agent setia setia-hub; do
  dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed && { echo "SKIP: $p is installed on this system"; exit 77; }
done
DB=/var/lib/setia/setia.db
PREV=/var/lib/setia/previous
NS=7 # the schema this version's stores have (Store::latestSchemaVersion()); N's is 4
old=$(dpkg-deb -f old/setia_*.deb Version)
new=$(dpkg-deb -f setia_*.deb Version)
oldv=${old%-*}
newv=${new%-*}
ctl() { (cd /var/lib/setia && runuser -u setia -- setiactl --db "$DB" "$@"); }
balance() { ctl --json member show "$1" 2>/dev/null | tr -d ' \n' | grep -o '"balance":[0-9]*' | head -1 | cut -d: -f2; }
sql() { (cd /var/lib/setia && runuser -u setia -- python3 -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1]); r = c.execute(sys.argv[2]).fetchall(); c.commit(); print(r[0][0] if r else "")' "$DB" "$1"); }
schema() { sql 'PRAGMA user_version'; }
events() { sql 'SELECT count(*) FROM events'; }
# The agent as its unit runs it (User=setia, the unit's options; no systemd in here), until
# GET /v1/health answers; prints the answer.
agent_health() {
  (cd /var/lib/setia && exec runuser -u setia -- setia-agent --db "$DB" --key "$DB.key" --token-file /var/lib/setia/agent.token \
    --port 0 --no-usb --no-contactless) >/tmp/agent.out 2>/tmp/agent.err &
  apid=$!
  port=
  i=0
  while [ $i -lt 200 ] && [ -z "$port" ]; do
    port=$(sed -n 's#.*listening on http://127.0.0.1:\([0-9]*\).*#\1#p' /tmp/agent.out); i=$((i + 1)); [ -n "$port" ] || sleep 0.1
  done
  [ -n "$port" ] && curl -s --max-time 5 "http://127.0.0.1:$port/v1/health"
  kill $apid 2>/dev/null; wait $apid 2>/dev/null
}
# Version N with its store package, and data: two members, three earns, one redemption.
install_n() {
  t0=$(date +%s.%N)
  if dpkg -i old/setia_*.deb old/setia-agent_*.deb old/setia-store-*.deb >/tmp/n.log 2>&1; then
    ok "version N installed: setia, setia-agent $old, the store package of N ($(since "$t0") s)"
  else
    cat /tmp/n.log; fail "dpkg -i of version N"
  fi
  [ "$(schema)" = 4 ] && ok "the store made by N is at schema 4" || fail "the store of N is at schema '$(schema)'"
  ctl --actor check member enroll --name "Budi Upgrade" --phone 0813-0000-3333 >/dev/null \
    && ctl --actor check member enroll --name "Sari Upgrade" --phone 0813-0000-4444 >/dev/null \
    && ctl --actor check earn --member 0813-0000-3333 --receipt UPG-1 --total 150000 >/dev/null \
    && ctl --actor check earn --member 0813-0000-3333 --receipt UPG-2 --total 275000 >/dev/null \
    && ctl --actor check earn --member 0813-0000-4444 --receipt UPG-3 --total 90000 >/dev/null \
    && ctl --actor check redeem --member 0813-0000-3333 --points 10 --receipt UPG-4 >/dev/null \
    && ok "data made with setiactl $oldv: 2 members, 3 earns, 1 redemption" || fail "making data with version N"
  b1=$(balance 0813-0000-3333)
  b2=$(balance 0813-0000-4444)
  ev=$(events)
  ctl verify >/dev/null 2>&1 && ok "setiactl verify ($oldv): passes; $ev events, balances $b1 / $b2" || fail "verify with version N"
}
same_data() { # what
  [ -n "$b1" ] && [ "$(balance 0813-0000-3333)" = "$b1" ] && [ "$(balance 0813-0000-4444)" = "$b2" ] && [ "$(events)" = "$ev" ] \
    && ctl verify >/dev/null 2>&1 && ok "$1: balances $b1 / $b2 and $ev events as before, setiactl verify passes" \
    || fail "$1: balances '$(balance 0813-0000-3333)' / '$(balance 0813-0000-4444)' (were $b1 / $b2), events $(events) (were $ev)"
}
running() { # program version
  v=$(cd /var/lib/setia && runuser -u setia -- "$1" --version 2>/tmp/v.err | tail -1)
  [ "$v" = "$1 $2" ] && ok "$1 --version: $v$(grep -q 'Running the previous version' /tmp/v.err && echo ' (handed over to the previous version)')" \
    || { cat /tmp/v.err; fail "$1 --version: '$v' (want $1 $2)"; }
}

# ---- (1) a migration that fails
install_n
sql 'CREATE TABLE events_unsynced(x)' >/dev/null && ok "the store poisoned: CREATE TABLE events_unsynced(x) (schema 5, the first step to $NS, makes an index of that name)" || fail "poisoning the store"
t0=$(date +%s.%N)
if dpkg -i setia_*.deb setia-agent_*.deb >/tmp/up.log 2>&1; then
  ok "dpkg -i of $new over $old: exit 0 although the store's upgrade failed ($(since "$t0") s)"
else
  cat /tmp/up.log; fail "dpkg -i of $new over $old failed"
fi
sed -n '/\*\*\*\*/,/\*\*\*\*/p' /tmp/up.log | sed 's/^/    /'
grep -q "WAS NOT UPGRADED" /tmp/up.log && grep -q "The data is as it was" /tmp/up.log && grep -q "keeps running the previous version, $old" /tmp/up.log \
  && grep -q "dpkg-reconfigure setia" /tmp/up.log && grep -q "events_unsynced" /tmp/up.log \
  && ok "the installation says loudly: not upgraded, the data as it was, the till on $old, why, what to do" || { cat /tmp/up.log; fail "the message of the failed upgrade"; }
[ "$(dpkg-query -W -f='${Package}=${Version}=${db:Status-Abbrev};' setia setia-agent)" = "setia=$new=ii ;setia-agent=$new=ii ;" ] \
  && ok "setia and setia-agent $new are installed and configured (ii)" || fail "package states: $(dpkg-query -W -f='${Package} ${Version} ${db:Status-Abbrev}; ' setia setia-agent)"
[ -f $PREV/ACTIVE ] && grep -q "^STORE=$DB$" $PREV/ACTIVE && grep -q "^REASON=.*schema $NS failed (at step 5) and was rolled back" $PREV/ACTIVE \
  && ok "the marker $PREV/ACTIVE: $(grep ^REASON $PREV/ACTIVE | cut -c1-100)..." || fail "marker: $(cat $PREV/ACTIVE 2>&1)"
[ "$(cat $PREV/VERSION)" = "$old" ] && [ -x $PREV/setia ] && [ -x $PREV/setiactl ] && [ -x $PREV/setia-agent ] \
  && [ "$(stat -c '%U:%G %a' $PREV $PREV/setiactl)" = "root:root 755
root:root 755" ] && ok "$old's setia, setiactl, setia-agent kept in $PREV (root's, 0755), VERSION $old" || fail "previous: $(ls -l $PREV 2>&1)"
[ "$(schema)" = 4 ] && ok "the store is still at schema 4" || fail "schema after the failed upgrade: $(schema)"
[ "$(stat -c '%a' "$DB.key")" = 600 ] && ok "the key still 0600 (0.1.0 refuses one the group can read)" || fail "key after the failed upgrade: $(stat -c '%a' "$DB.key")"
running setiactl "$oldv"
running setia "$oldv"
running setia-agent "$oldv"
grep -h 'Running the previous version' /tmp/v.err | head -1 | sed 's/^/    /'
same_data "the till on $oldv after the failed upgrade"
h=$(agent_health)
echo "$h" | grep -q "\"version\":\"$oldv\"" && ok "the agent (the unit's command, /usr/bin/setia-agent) answers as $oldv: $h" || { cat /tmp/agent.err; fail "agent after the failed upgrade: $h"; }
# The till goes on working on version N: a sale, then the data compared with that sale in.
ctl --actor check earn --member 0813-0000-4444 --receipt UPG-5 --total 60000 >/dev/null 2>&1 && ok "an earn through the previous version" || fail "earn on the previous version"
b2=$(balance 0813-0000-4444)
ev=$(events)
# The cause removed, the upgrade again, as the message says.
sql 'DROP TABLE events_unsynced' >/dev/null && ok "the cause removed (DROP TABLE events_unsynced)" || fail "removing the poison"
if DEBIAN_FRONTEND=noninteractive dpkg-reconfigure setia >/tmp/re.log 2>&1; then ok "dpkg-reconfigure setia: $(grep -o 'upgraded from schema [0-9]* to schema [0-9]*' /tmp/re.log)"; else cat /tmp/re.log; fail "dpkg-reconfigure setia"; fi
grep -q "upgraded from schema 4 to schema $NS" /tmp/re.log || { cat /tmp/re.log; fail "dpkg-reconfigure did not upgrade the store"; }
[ "$(schema)" = $NS ] && ok "the store is at schema $NS" || fail "schema after dpkg-reconfigure: $(schema)"
[ ! -e $PREV/ACTIVE ] && ok "the marker is gone" || fail "the marker is still there"
running setiactl "$newv"
running setia "$newv"
! grep -q 'Running the previous version' /tmp/v.err && ok "no hand-over any more" || { cat /tmp/v.err; fail "a hand-over after the upgrade"; }
same_data "after the upgrade to $newv"
h=$(agent_health)
echo "$h" | grep -q "\"version\":\"$newv\"" && ok "the agent answers as $newv" || { cat /tmp/agent.err; fail "agent after the upgrade: $h"; }
out=$(ctl upgrade 2>&1) && echo "$out" | grep -q "at schema $NS already" && ok "setiactl upgrade again: $out" || fail "setiactl upgrade again: $out"

# ---- (2) the clean path, after a purge: N again, then the package upgrade migrates the store
SETIA_PURGE_DATA=1 dpkg --purge setia-store-kopi-senja-kemang setia-agent setia >/tmp/purge.log 2>&1 && [ ! -e /var/lib/setia ] \
  && ok "purged (SETIA_PURGE_DATA=1): /var/lib/setia with previous/ gone" || { cat /tmp/purge.log; fail "purge between the two runs: $(ls -R /var/lib/setia 2>&1 | head)"; }
install_n
t0=$(date +%s.%N)
if dpkg -i setia_*.deb setia-agent_*.deb >/tmp/up2.log 2>&1; then ok "dpkg -i of $new over $old ($(since "$t0") s)"; else cat /tmp/up2.log; fail "clean upgrade"; fi
grep -E '^Setia' /tmp/up2.log | sed 's/^/    /'
grep -q "upgraded from schema 4 to schema $NS" /tmp/up2.log && ! grep -q 'NOT UPGRADED' /tmp/up2.log \
  && ok "the postinst upgraded the store from schema 4 to schema $NS" || { cat /tmp/up2.log; fail "the postinst's upgrade"; }
[ "$(schema)" = $NS ] && [ ! -e $PREV/ACTIVE ] && ok "schema $NS, no marker" || fail "schema $(schema), marker $(ls $PREV 2>&1)"
[ -f "$DB.pre-schema-$NS.bak" ] && [ "$(stat -c %U "$DB.pre-schema-$NS.bak")" = setia ] && ok "the copy from before the upgrade: $DB.pre-schema-$NS.bak (setia's)" || fail "no copy before the upgrade: $(ls -l /var/lib/setia)"
[ "$(cat $PREV/VERSION 2>/dev/null)" = "$old" ] && ok "$old's binaries stay in $PREV (for a manual rollback; replaced at the next upgrade, deleted on remove)" || fail "previous after a clean upgrade: $(ls $PREV 2>&1)"
running setiactl "$newv"
running setia-agent "$newv"
same_data "after the clean upgrade to $newv"
[ "$(stat -c '%G %a' "$DB")" = "setia 660" ] && [ "$(stat -c '%G %a' "$DB.key")" = "setia 640" ] \
  && ok "the upgraded store shared with the group setia (store 0660, key 0640)" || fail "modes after the upgrade: $(ls -l "$DB" "$DB.key")"
h=$(agent_health)
echo "$h" | grep -q "\"version\":\"$newv\"" && ok "the agent answers as $newv" || { cat /tmp/agent.err; fail "agent after the clean upgrade: $h"; }
dpkg -r setia-store-kopi-senja-kemang setia-agent setia >/tmp/r.log 2>&1 && [ ! -e $PREV ] && [ -e $DB ] \
  && ok "dpkg -r: previous/ removed with the programs, the store kept" || { cat /tmp/r.log; fail "remove: $(ls -l $PREV 2>&1)"; }
exit $bad
INSIDE
  chmod 1777 "$ov/upper/tmp"
  cp "${debs[@]}" "$ov/upper/tmp/setia-debs/"
  cp "${old_debs[@]}" "$ov/upper/tmp/setia-debs/old/"
  in_overlay "$ov" /tmp/setia-debs/upgrade.sh QT_QPA_PLATFORM=offscreen
}
if [[ ${SETIA_CHECK_NO_CHROOT:-0} == 1 ]]; then
  echo "  skipped: the upgrade check N -> N+1 (SETIA_CHECK_NO_CHROOT=1)" >&2
elif [[ ${SETIA_CHECK_NO_OLD:-0} == 1 ]]; then
  echo "  skipped: the upgrade check N -> N+1 (SETIA_CHECK_NO_OLD=1)" >&2
elif ((${#old_debs[@]} == 0)); then
  echo "  not run: the upgrade check N -> N+1 (version N was not built: above)" >&2
elif [[ $(id -u) -ne 0 ]] || ! unshare -m true 2>/dev/null || ! grep -qw overlay /proc/filesystems; then
  echo "  skipped: the upgrade check N -> N+1 (needs root, mount namespaces and overlayfs)" >&2
else
  log "upgrade $old_version -> $version: a failed store migration keeps $old_version running; then a clean one"
  t=$(now)
  set +e
  upgrade_check
  rc=$?
  set -e
  timings+=("upgrade check N -> N+1 (failed, then clean): $(since "$t") s")
  if ((rc == 77)); then echo "  skipped: Setia packages are installed on this system itself" >&2
  elif ((rc != 0)); then fail "the upgrade check N -> N+1"; fi
fi

# ---- 5. the hub under systemd: the overlay booted with systemd-nspawn, dpkg -i setia-hub
nspawn_check() {
  local ns=$work/ns
  mkdir -p "$ns/upper/root/setia-check" "$ns/upper/etc/systemd/system/multi-user.target.wants" "$ns/work" "$ns/merged"
  cp "$hub_deb" "$ns/upper/root/setia-check/"
  cat >"$ns/upper/root/setia-check/inside.sh" <<'INSIDE'
set -u
cd /root/setia-check
fail() { echo "FAIL: $*"; bad=1; }
ok() { echo "  ok: $*"; }
bad=0
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b-a}'; }
health() { # port [tries of 0.1 s]
  h=
  i=0
  while [ $i -lt "${2:-300}" ] && [ -z "$h" ]; do
    h=$(curl -s --max-time 2 "http://127.0.0.1:$1/v1/health" | grep '"status":"ok"'); i=$((i + 1)); [ -n "$h" ] || sleep 0.1
  done
}
field() { echo "$h" | grep -o "\"$1\":\"[^\"]*\""; }
for p in setia-hub setia setia-agent; do
  dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed && { echo "SKIP: $p is installed on this system"; exit 77; }
done
# A Docker image's /usr/sbin/policy-rc.d ("exit 101") stops maintainer scripts from starting
# services; a server has none: removed in this copy.
if [ -e /usr/sbin/policy-rc.d ]; then
  rm -f /usr/sbin/policy-rc.d && echo "  note: this system's /usr/sbin/policy-rc.d is removed in the booted copy (services start as on a server)"
fi
t0=$(date +%s.%N)
if dpkg -i setia-hub_*.deb >dpkg-i.log 2>&1; then ok "dpkg -i setia-hub in $(since "$t0") s"; else cat dpkg-i.log; fail "dpkg -i setia-hub"; fi
grep -E '^setia-hub' dpkg-i.log | sed 's/^/    /'
health 8470
if [ -n "$h" ]; then
  ok "systemd started setia-hub.service; /v1/health answers $(since "$t0") s after dpkg -i began: $h"
else
  systemctl status setia-hub --no-pager; journalctl -u setia-hub --no-pager | tail -20; fail "setia-hub.service did not answer on 127.0.0.1:8470"
fi
sqlite_id=$(field hubId)
getent passwd setia | grep -q ':/var/lib/setia:/usr/sbin/nologin$' && ok "system user setia made by setia-hub's postinst" || fail "user setia"
[ "$(stat -c '%U:%G %a' /var/lib/setia)" = "setia:setia 2770" ] && ok "/var/lib/setia setia:setia 2770" || fail "/var/lib/setia is $(stat -c '%U:%G %a' /var/lib/setia)"
[ "$(systemctl is-enabled setia-hub)" = enabled ] && [ "$(systemctl is-active setia-hub)" = active ] && ok "setia-hub.service enabled and active" || fail "setia-hub.service: $(systemctl is-enabled setia-hub) $(systemctl is-active setia-hub)"
pid=$(systemctl show -p MainPID --value setia-hub)
[ "$(ps -o user= -p "$pid")" = setia ] && ok "the hub runs as setia (pid $pid)" || fail "the hub runs as $(ps -o user= -p "$pid")"
grep -q 'NoNewPrivs:[[:space:]]*1' /proc/"$pid"/status && grep -q 'Seccomp:[[:space:]]*2' /proc/"$pid"/status && grep -q 'CapBnd:[[:space:]]*0000000000000000' /proc/"$pid"/status \
  && ok "in force: no new privileges, a seccomp filter, no capabilities" || fail "sandbox: $(grep -E 'NoNewPrivs|Seccomp|CapBnd' /proc/"$pid"/status | tr '\n' ' ')"
exposure=$(systemd-analyze security setia-hub.service --no-pager 2>/dev/null | tail -1)
echo "  systemd-analyze security: $exposure"
op=$(cat /etc/setia/hub-operator.token)
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $op" http://127.0.0.1:8470/v1/admin/terminals)" = 200 ] \
  && ok "operator API with /etc/setia/hub-operator.token: 200" || fail "operator API"
tok=$(runuser -u setia -- setia-hub token --store kopi-senja-kemang --name "Kasir 1")
echo "$tok" | grep -Eqx 'setia-enroll-[A-Za-z0-9_-]{32}' && ok "setia-hub token on the SQLite hub: $tok" || fail "token: $tok"
systemctl restart setia-hub && health 8470 && [ "$(field hubId)" = "$sqlite_id" ] && ok "systemctl restart setia-hub: the same database" || fail "restart: $h"

# PostgreSQL, the commands of docs/install.md ("Switching to PostgreSQL").
if command -v pg_lsclusters >/dev/null && [ -n "$(pg_lsclusters -h 2>/dev/null)" ]; then
  tp=$(date +%s.%N)
  systemctl start postgresql >/dev/null 2>&1; pg_lsclusters -h | while read -r v c _; do pg_ctlcluster "$v" "$c" start 2>/dev/null || true; done
  # (a copy of this system's cluster: a role setia or a database setia_hub already in it is fine)
  runuser -u postgres -- psql -qtAc "SELECT 1 FROM pg_roles WHERE rolname = 'setia'" | grep -qx 1 || runuser -u postgres -- createuser setia
  runuser -u postgres -- dropdb --if-exists setia_hub 2>/dev/null
  runuser -u postgres -- createdb -O setia setia_hub && ok "createuser setia; createdb -O setia setia_hub" || fail "createuser/createdb"
  sed -i -e 's|^SETIA_HUB_ARGS="--db |#SETIA_HUB_ARGS="--db |' -e 's|^#SETIA_HUB_ARGS="--postgres |SETIA_HUB_ARGS="--postgres |' /etc/default/setia-hub
  grep '^SETIA_HUB_ARGS=' /etc/default/setia-hub | sed 's/^/    /'
  systemctl restart setia-hub
  health 8470
  pg_id=$(field hubId)
  if [ -n "$h" ] && [ "$pg_id" != "$sqlite_id" ]; then ok "setia-hub on PostgreSQL answers ($(since "$tp") s after starting PostgreSQL): $h"; else journalctl -u setia-hub --no-pager | tail -20; fail "setia-hub on PostgreSQL: $h"; fi
  tok=$(runuser -u setia -- setia-hub token --postgres dbname=setia_hub --key /var/lib/setia/hub.db.key --store kopi-senja-kemang --name "Kasir 2")
  echo "$tok" | grep -Eqx 'setia-enroll-[A-Za-z0-9_-]{32}' && ok "setia-hub token on PostgreSQL: $tok" || fail "token on PostgreSQL: $tok"
  # A second process: same database and key, another port; the conninfo quoted, with spaces.
  sed -e 's|^SETIA_HUB_ARGS=.*|SETIA_HUB_ARGS="--postgres '"'"'host=/var/run/postgresql dbname=setia_hub user=setia'"'"' --key /var/lib/setia/hub.db.key --operator-token-file /etc/setia/hub-operator.token --listen 127.0.0.1:8471"|' \
    /etc/default/setia-hub >/etc/default/setia-hub-2
  systemctl enable --now setia-hub@2 2>/dev/null
  pk=$(curl -s http://127.0.0.1:8470/v1/health | grep -o '"publicKey":"[^"]*"')
  health 8471
  if [ -n "$h" ] && [ "$(field hubId)" = "$pg_id" ] && [ "$(field publicKey)" = "$pk" ]; then
    ok "setia-hub@2 on 127.0.0.1:8471: the same hub (id and key) as setia-hub on 8470"
  else
    journalctl -u setia-hub@2 --no-pager | tail -20; fail "setia-hub@2: $h"
  fi
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $op" --data-binary @demo-program.json http://127.0.0.1:8471/v1/admin/programs)
  [ "$code" = 201 ] && ok "program published through setia-hub@2 (201)" || fail "publish through setia-hub@2: $code"
else
  echo "  skipped: PostgreSQL (no cluster on this system: apt-get install postgresql)"
fi

# An upgrade (the same package as N+1) restarts the hub and the running setia-hub@N.
pid1=$(systemctl show -p MainPID --value setia-hub)
pid2=$(systemctl show -p MainPID --value setia-hub@2 2>/dev/null)
rm -rf repack && dpkg-deb -R setia-hub_*.deb repack && sed -i 's/^Version: \(.*\)$/Version: \1+up1/' repack/DEBIAN/control
dpkg-deb --root-owner-group -b repack setia-hub_up1.deb >/dev/null
tu=$(date +%s.%N)
dpkg -i setia-hub_up1.deb >upgrade.log 2>&1 || { cat upgrade.log; fail "upgrade"; }
health 8470
new1=$(systemctl show -p MainPID --value setia-hub)
if [ -n "$h" ] && [ "$new1" != "$pid1" ] && [ "$new1" != 0 ]; then
  ok "upgrade to $(dpkg-query -W -f='${Version}' setia-hub): setia-hub.service restarted, answers $(since "$tu") s after dpkg -i began"
else
  fail "setia-hub after the upgrade: pid $pid1 -> $new1, $h"
fi
if [ -n "$pid2" ] && [ "$pid2" != 0 ]; then
  new2=$(systemctl show -p MainPID --value setia-hub@2)
  health 8471
  [ -n "$h" ] && [ "$new2" != "$pid2" ] && [ "$new2" != 0 ] && ok "setia-hub@2 restarted by the upgrade" || fail "setia-hub@2 after the upgrade: pid $pid2 -> $new2"
fi

# Remove stops every hub process and keeps the data; purge refuses; SETIA_PURGE_DATA=1 deletes.
dpkg -r setia-hub >remove.log 2>&1 || { cat remove.log; fail "dpkg -r setia-hub"; }
sleep 0.5
if [ "$(systemctl is-active setia-hub)" != active ] && [ "$(systemctl is-active setia-hub@2 2>/dev/null)" != active ] && ! pgrep -x setia-hub >/dev/null; then
  ok "dpkg -r stopped setia-hub (and setia-hub@2)"
else
  fail "a hub still runs after dpkg -r: $(pgrep -a setia-hub)"
fi
dpkg --purge setia-hub >purge.log 2>&1 && fail "purge did not refuse" || { grep -q "REFUSING TO DELETE THE HUB'S DATABASE" purge.log && ok "purge refuses while /var/lib/setia/hub.db* is there" || { cat purge.log; fail "purge failed otherwise"; }; }
SETIA_PURGE_DATA=1 dpkg --purge setia-hub >purge2.log 2>&1 && [ ! -e /var/lib/setia ] && [ ! -e /etc/setia/hub-operator.token ] \
  && [ -z "$(ls /etc/systemd/system/*.wants/setia-hub* 2>/dev/null)" ] && ok "SETIA_PURGE_DATA=1 dpkg --purge: data, token and unit links gone" || { cat purge2.log; fail "forced purge"; }
exit $bad
INSIDE
  cp "$src/resources/programs/demo-program.json" "$ns/upper/root/setia-check/"
  cat >"$ns/upper/etc/systemd/system/setia-check.service" <<'UNIT'
[Unit]
Description=check-packages.sh: setia-hub under systemd
After=multi-user.target
[Service]
Type=oneshot
Environment=LANG=C.UTF-8
ExecStart=/bin/sh -c 'sh /root/setia-check/inside.sh >/root/setia-check/result.log 2>&1; echo $? >/root/setia-check/rc; systemctl --no-block poweroff'
[Install]
WantedBy=multi-user.target
UNIT
  ln -s ../setia-check.service "$ns/upper/etc/systemd/system/multi-user.target.wants/setia-check.service"
  # The machine id must differ from this system's (nspawn refuses to boot a copy of itself).
  rm -f "$ns/upper/etc/machine-id"
  # --keep-unit, --register=no: no D-Bus or systemd-machined on this system needed.
  timeout --kill-after=10 300 unshare -m --propagation private sh -c '
    set -e
    mount -t overlay overlay -o "lowerdir=/,upperdir=$1/upper,workdir=$1/work" "$1/merged"
    exec systemd-nspawn -q -D "$1/merged" --register=no --keep-unit --link-journal=no --private-network --boot
  ' sh "$ns" >"$work/nspawn.log" 2>&1 || true
  if [[ ! -f $ns/upper/root/setia-check/rc ]]; then
    tail -30 "$work/nspawn.log" >&2
    echo "the booted system did not run the check" >&2
    return 1
  fi
  cat "$ns/upper/root/setia-check/result.log" >&2
  return "$(<"$ns/upper/root/setia-check/rc")"
}
if [[ ${SETIA_CHECK_NO_NSPAWN:-0} == 1 ]]; then
  echo "  skipped: setia-hub under systemd (SETIA_CHECK_NO_NSPAWN=1)" >&2
elif [[ -z $hub_deb ]] || [[ $(id -u) -ne 0 ]] || ! command -v systemd-nspawn >/dev/null || ! grep -qw overlay /proc/filesystems || ! unshare -m true 2>/dev/null; then
  echo "  skipped: setia-hub under systemd (needs root, overlayfs and systemd-nspawn: apt-get install systemd-container)" >&2
else
  log "setia-hub under systemd: this system booted in systemd-nspawn (an overlay), dpkg -i setia-hub"
  t=$(now)
  set +e
  nspawn_check
  rc=$?
  set -e
  timings+=("setia-hub under systemd (boot, install, PostgreSQL, purge): $(since "$t") s")
  if ((rc == 77)); then echo "  skipped: Setia packages are installed on this system itself" >&2
  elif ((rc != 0)); then fail "setia-hub under systemd"; fi
fi

log "timings"
printf '  %s\n' "${timings[@]}" >&2
if ((failed)); then log "FAILED"; exit 1; fi
log "all package checks passed"
