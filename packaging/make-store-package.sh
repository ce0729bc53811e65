#!/usr/bin/env bash
# make-store-package.sh STORE.json OUTDIR
#
# Makes the provisioning package of one store, setia-store-<store_id>_<version>_all.deb, from
# its store file (docs/install.md, "The store file"). It needs only bash, python3 (to read and
# check the JSON) and dpkg-deb — no compiler, no source tree — so whoever prepares a store's
# tills can make it. The package:
#   - depends on setia (the generic, signed build that is the same for every store);
#   - carries /etc/setia/store.json (a conffile, 0640 root:setia through dpkg-statoverride:
#     it holds the hub enrollment token);
#   - on installation, if /var/lib/setia/setia.db does not exist yet, makes the store as the
#     user setia: setiactl --db /var/lib/setia/setia.db init --store-id ... --store-name ...
#     --time-zone ... --currency ..., then the settings language and hub_url, and loads the
#     store's first program (/etc/setia/program.json, from the store file's "program") if there
#     is one; then (re)starts setia-agent if it is installed.
# The hub certificate fingerprint and the enrollment token are only carried in store.json:
# the hub and the registration (issue #5) do not exist yet.
#
# Exit: 0 made (the path is printed), 2 bad store file or arguments, 3 dpkg-deb failed.
set -euo pipefail

usage() { echo "usage: $0 STORE.json OUTDIR" >&2; exit 2; }
[[ $# -eq 2 ]] || usage
store_file=$1
outdir=$2
[[ -r $store_file ]] || { echo "$0: cannot read $store_file" >&2; exit 2; }
command -v python3 >/dev/null || { echo "$0: python3 is needed to read the store file" >&2; exit 2; }
command -v dpkg-deb >/dev/null || { echo "$0: dpkg-deb is needed (Debian package dpkg)" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/setia-store-pkg.XXXXXX")
trap 'rm -rf "$work"' EXIT
umask 022

# Read and check the store file; write the shell variables (quoted) and the normalised
# store.json the package carries. Every problem is listed, not only the first.
python3 - "$store_file" "$work" <<'PY'
import json, os, re, shlex, sys
path, work = sys.argv[1], sys.argv[2]
try:
    with open(path, encoding="utf-8") as f:
        s = json.load(f)
except (OSError, ValueError) as e:
    print(f"{path}: not a JSON store file: {e}", file=sys.stderr); sys.exit(2)
if not isinstance(s, dict):
    print(f"{path}: the store file must be a JSON object", file=sys.stderr); sys.exit(2)
errors = []
def text(key, required=True, default=None):
    v = s.get(key, default)
    if v is None:
        if required: errors.append(f"{key}: missing")
        return ""
    if not isinstance(v, str) or not v.strip():
        errors.append(f"{key}: must be a non-empty string"); return ""
    return v.strip()
known = {"store_id", "store_name", "time_zone", "currency", "language", "hub_url", "hub_fingerprint",
         "enrollment_token", "package_version", "program"}
for k in s:
    if k not in known:
        errors.append(f"{k}: unknown field (known: {', '.join(sorted(known))})")
sid = text("store_id")
if sid and not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,47}", sid):
    errors.append("store_id: lower-case letters, digits and '-', at most 48, starting with a letter or digit "
                  "(it becomes part of the package name setia-store-ID)")
name = text("store_name")
tz = text("time_zone")
if tz and (not re.fullmatch(r"[A-Za-z0-9_+\-]+(/[A-Za-z0-9_+\-]+)*", tz) or
           (os.path.isdir("/usr/share/zoneinfo") and not os.path.isfile(os.path.join("/usr/share/zoneinfo", tz)))):
    errors.append(f"time_zone: '{tz}' is not an IANA time zone such as Asia/Jakarta")
cur = text("currency", required=False, default="IDR")
if cur and not re.fullmatch(r"[A-Z]{3}", cur):
    errors.append("currency: an ISO 4217 code such as IDR")
lang = text("language", required=False, default="id")
if lang and lang not in ("id", "en"):
    errors.append("language: id or en")
hub = text("hub_url")
if hub and not re.fullmatch(r"https://[A-Za-z0-9.\-]+(:[0-9]{1,5})?(/[^\s]*)?", hub):
    errors.append("hub_url: an https:// URL (the hub is reached over TLS only)")
fp = text("hub_fingerprint")
if fp:
    hexpart = fp[7:] if fp.lower().startswith("sha256:") else fp
    hexpart = hexpart.replace(":", "")
    if not re.fullmatch(r"[0-9A-Fa-f]{64}", hexpart):
        errors.append("hub_fingerprint: the SHA-256 of the hub's certificate, 64 hex digits (colons allowed, 'sha256:' in front allowed)")
    else:
        fp = "sha256:" + ":".join(hexpart[i:i+2].lower() for i in range(0, 64, 2))
token = text("enrollment_token")
if token and (len(token) < 16 or not re.fullmatch(r"[A-Za-z0-9._~+/=\-]+", token)):
    errors.append("enrollment_token: at least 16 characters, no spaces")
ver = text("package_version", required=False, default="1")
if ver and not re.fullmatch(r"[0-9][A-Za-z0-9.+~]*", ver):
    errors.append("package_version: a Debian version starting with a digit, e.g. 1 or 2.1")
prog = text("program", required=False)
if prog:
    ppath = prog if os.path.isabs(prog) else os.path.join(os.path.dirname(os.path.abspath(path)), prog)
    try:
        with open(ppath, encoding="utf-8") as f:
            program_text = f.read()
        json.loads(program_text)
        with open(os.path.join(work, "program.json"), "w", encoding="utf-8") as f:
            f.write(program_text)
    except (OSError, ValueError) as e:
        errors.append(f"program: {ppath}: not a readable JSON program file: {e}")
if errors:
    print(f"{path}: not a valid store file:", file=sys.stderr)
    for e in errors: print(f"  {e}", file=sys.stderr)
    sys.exit(2)
norm = {"store_id": sid, "store_name": name, "time_zone": tz, "currency": cur, "language": lang,
        "hub_url": hub, "hub_fingerprint": fp, "enrollment_token": token, "package_version": ver}
with open(os.path.join(work, "store.json"), "w", encoding="utf-8") as f:
    json.dump(norm, f, ensure_ascii=False, indent=2); f.write("\n")
with open(os.path.join(work, "vars.sh"), "w", encoding="utf-8") as f:
    for k, v in norm.items():
        if k != "enrollment_token":
            f.write(f"{k.upper()}={shlex.quote(v)}\n")
PY

# shellcheck disable=SC1091
source "$work/vars.sh"
pkg="setia-store-$STORE_ID"
root="$work/root"
mkdir -p "$root/DEBIAN" "$root/etc/setia" "$root/usr/share/doc/$pkg"
install -m 0640 "$work/store.json" "$root/etc/setia/store.json"
sed -e 's/^Setia — offline-first.*/Setia — the provisioning of one store/' "$here/debian/copyright" >"$root/usr/share/doc/$pkg/copyright"
chmod 0644 "$root/usr/share/doc/$pkg/copyright"
when=$(date -u -R -d "@${SOURCE_DATE_EPOCH:-$(date +%s)}")
printf '%s (%s) bookworm; urgency=medium\n\n  * Provisioning of the store %s, made by make-store-package.sh.\n\n -- %s  %s\n' \
  "$pkg" "$PACKAGE_VERSION" "$STORE_ID" "Setia installer <installer@users.noreply.h-seed-5a0069dd.example>" "$when" \
  | gzip -9n >"$root/usr/share/doc/$pkg/changelog.gz"
chmod 0644 "$root/usr/share/doc/$pkg/changelog.gz"

q() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }
# Control fields are one line each: a store name with a newline was refused above (JSON strings
# may hold one: check).
case "$STORE_NAME" in *$'\n'*) echo "$store_file: store_name: one line only" >&2; exit 2 ;; esac
size=$(du -k -s "$root/etc" "$root/usr" | awk '{s+=$1} END {print s}')
cat >"$root/DEBIAN/control" <<CTL
Package: $pkg
Version: $PACKAGE_VERSION
Architecture: all
Maintainer: Setia installer <installer@users.noreply.h-seed-5a0069dd.example>
Installed-Size: $size
Depends: setia (>= 0.2.0)
Section: misc
Priority: optional
Description: Setia provisioning of the store $STORE_ID
 Provisions a till of one store for the Setia loyalty terminal:
   $STORE_NAME
   (store $STORE_ID, time zone $TIME_ZONE)
 /etc/setia/store.json holds the store's identity, the hub's address and
 certificate fingerprint and the enrollment token. On installation the
 store's database is made in /var/lib/setia if there is none.
CTL
echo /etc/setia/store.json >"$root/DEBIAN/conffiles"
mkdir -p "$root/usr/share/lintian/overrides"
cat >"$root/usr/share/lintian/overrides/$pkg" <<OVR
# store.json holds the hub enrollment token: 0640, group setia (dpkg-statoverride in postinst).
$pkg: non-standard-file-perm 0640 != 0644 [etc/setia/store.json]
OVR
chmod 0644 "$root/usr/share/lintian/overrides/$pkg"
if [[ -f $work/program.json ]]; then
  # The store's first loyalty program, loaded when the store is made. Checked here too when
  # setiactl is at hand (it is not needed to make the package).
  if command -v setiactl >/dev/null && ! setiactl program validate "$work/program.json" >&2; then
    echo "$store_file: program: the program file does not validate (above)" >&2
    exit 2
  fi
  install -m 0644 "$work/program.json" "$root/etc/setia/program.json"
  echo /etc/setia/program.json >>"$root/DEBIAN/conffiles"
fi

cat >"$root/DEBIAN/postinst" <<POSTINST
#!/bin/sh
# postinst of $pkg (made by make-store-package.sh): store.json readable by group setia; the
# store's database made as the user setia when there is none; the agent (re)started.
set -e

STORE_ID=$(q "$STORE_ID")
STORE_NAME=$(q "$STORE_NAME")
TIME_ZONE=$(q "$TIME_ZONE")
CURRENCY=$(q "$CURRENCY")
LANGUAGE=$(q "$LANGUAGE")
HUB_URL=$(q "$HUB_URL")
DB=/var/lib/setia/setia.db
POSTINST
cat >>"$root/DEBIAN/postinst" <<'POSTINST'

case "$1" in
configure)
    if ! dpkg-statoverride --list /etc/setia/store.json >/dev/null 2>&1; then
        dpkg-statoverride --update --add root setia 0640 /etc/setia/store.json
    fi
    cd /var/lib/setia
    if [ ! -e "$DB" ]; then
        # Made by the user that runs the agent, so that it owns the store and its key (0600).
        runuser -u setia -- setiactl --db "$DB" --actor installer init \
            --store-id "$STORE_ID" --store-name "$STORE_NAME" --time-zone "$TIME_ZONE" --currency "$CURRENCY"
        runuser -u setia -- setiactl --db "$DB" --actor installer setting language "$LANGUAGE" >/dev/null
        runuser -u setia -- setiactl --db "$DB" --actor installer setting hub_url "$HUB_URL" >/dev/null
        if [ -f /etc/setia/program.json ]; then
            runuser -u setia -- setiactl --db "$DB" --actor installer program load /etc/setia/program.json
        fi
        echo "Setia: store $STORE_ID made in $DB (back up $DB.key separately)."
    else
        have=$(runuser -u setia -- setiactl --db "$DB" setting store_id 2>/dev/null || true)
        if [ "$have" != "$STORE_ID" ]; then
            echo "Setia: WARNING: $DB already holds the store '$have', not '$STORE_ID'; it was left as it is." >&2
            echo "Setia: the till keeps working as '$have'. If that is wrong, ask support (docs/install.md)." >&2
        else
            echo "Setia: store $STORE_ID already in $DB; left as it is."
        fi
    fi
    if [ -d /run/systemd/system ] && [ -e /lib/systemd/system/setia-agent.service ]; then
        deb-systemd-invoke restart setia-agent.service >/dev/null || true
    fi
    ;;
abort-upgrade|abort-remove|abort-deconfigure)
    ;;
*)
    echo "postinst called with unknown argument '$1'" >&2
    exit 1
    ;;
esac

exit 0
POSTINST

cat >"$root/DEBIAN/postrm" <<'POSTRM'
#!/bin/sh
# postrm of a setia-store-ID package: the store's data in /var/lib/setia belongs to the package
# setia and is never touched here; purge forgets store.json's owner and mode.
set -e

case "$1" in
purge)
    if dpkg-statoverride --list /etc/setia/store.json >/dev/null 2>&1; then
        dpkg-statoverride --remove /etc/setia/store.json || true
    fi
    ;;
esac

exit 0
POSTRM
chmod 0755 "$root/DEBIAN/postinst" "$root/DEBIAN/postrm"

mkdir -p "$outdir"
deb="$outdir/${pkg}_${PACKAGE_VERSION}_all.deb"
if ! dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null; then
  echo "$0: dpkg-deb failed" >&2
  exit 3
fi
# The package holds the enrollment token: only its owner may read it.
chmod 0600 "$deb"
echo "$deb"
