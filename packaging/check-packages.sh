#!/usr/bin/env bash
# check-packages.sh [BUILD_DIR]   (default: build/pkg; configured here if it is not yet)
#
# Proof of the Debian packages (issue #7, docs/install.md):
#   1. builds setia, setiactl, setia-agent in BUILD_DIR and the packages with `cpack -G DEB`,
#      and the provisioning package of packaging/examples/store-example.json;
#   2. lintian on each: any E: fails, W: are listed;
#   3. unpacks each with `dpkg -x` into a scratch root and runs the binaries from there:
#      --version, `setiactl init` + `setiactl verify` on a scratch store, the agent answering
#      GET /v1/health on loopback, the terminal's offscreen walk through its screens
#      (`setia --screenshots DIR --db ...`);
#   4. when the kernel lets us (root, mount namespaces, overlayfs): a real `dpkg -i` of the
#      three packages into a throw-away copy of this system (an overlay over /, chrooted), which
#      runs the maintainer scripts: user setia, /var/lib/setia, the store made by the store
#      package, `setiactl verify` as setia, then purge refusing to delete the store unless
#      SETIA_PURGE_DATA=1. Skipped (said so) when not possible; SETIA_CHECK_NO_CHROOT=1 skips it.
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
cleanup() {
  if [[ -n $agent_pid ]]; then kill "$agent_pid" 2>/dev/null || true; wait "$agent_pid" 2>/dev/null || true; fi
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
  log "building setia, setiactl, setia-agent in $build"
  cmake --build "$build" --target setia setiactl setia-agent
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
for want in setia setia-agent setia-store-kopi-senja-kemang; do
  found=0
  for d in "${debs[@]}"; do [[ $(dpkg-deb -f "$d" Package) == "$want" ]] && found=1; done
  ((found)) && ok "package $want made" || fail "package $want was not made"
done

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
timings+=("lintian (3 packages): $(since "$t") s")

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
         usr/share/doc/setia/copyright usr/share/doc/setia-agent/copyright etc/setia/store.json; do
  [[ -e $root/$f ]] && ok "/$f installed" || fail "/$f missing from the packages"
done
# The binaries must use only system libraries (no path into the build tree).
for b in setia setiactl setia-agent; do
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

# ---- 4. dpkg -i into an overlay of this system, maintainer scripts included
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
for p in setia-store-kopi-senja-kemang setia-agent setia; do
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
[ "$(stat -c '%U:%G %a' /var/lib/setia)" = "setia:setia 750" ] && ok "/var/lib/setia setia:setia 0750" || fail "/var/lib/setia is $(stat -c '%U:%G %a' /var/lib/setia)"
[ "$(stat -c '%U:%G %a' /etc/setia/store.json)" = "root:setia 640" ] && ok "/etc/setia/store.json root:setia 0640" || fail "store.json is $(stat -c '%U:%G %a' /etc/setia/store.json)"
[ "$(stat -c '%U %a' /var/lib/setia/setia.db.key)" = "setia 600" ] && ok "the store's key is setia's, 0600" || fail "key $(stat -c '%U %a' /var/lib/setia/setia.db.key)"
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
[ ! -e /var/lib/setia ] && ok "/var/lib/setia deleted on the forced purge" || fail "/var/lib/setia still there"
exit $bad
INSIDE
  mkdir -p "$ov/upper/tmp/setia-debs"
  chmod 1777 "$ov/upper/tmp" # the upper layer's directory modes win: keep /tmp as it is
  cp "${debs[@]}" "$work/inside.sh" "$ov/upper/tmp/setia-debs/"
  unshare -m --propagation private sh -c '
    set -e
    ov=$1
    mount -t overlay overlay -o "lowerdir=/,upperdir=$ov/upper,workdir=$ov/work" "$ov/merged"
    mount --rbind /dev "$ov/merged/dev"
    mount -t proc proc "$ov/merged/proc"
    mount -t tmpfs tmpfs "$ov/merged/run"
    exec chroot "$ov/merged" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 sh /tmp/setia-debs/inside.sh
  ' sh "$ov"
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

log "timings"
printf '  %s\n' "${timings[@]}" >&2
if ((failed)); then log "FAILED"; exit 1; fi
log "all package checks passed"
