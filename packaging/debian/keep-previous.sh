# Shared by the preinst scripts of setia and setia-agent (pasted in by the build: see
# Packaging.cmake), run on `preinst upgrade OLDVERSION`, while the old version's files are still
# in place: its binaries are copied to /var/lib/setia/previous/ (root's, 0755) with a VERSION
# file. If the store's upgrade fails in the postinst of setia, the till goes on running them
# (previous/ACTIVE; app/core/fallback.h, docs/install.md "Upgrades").
#
# A binary is kept only when it needs nothing but system libraries (ldd: every library found,
# each one under /lib or /usr/lib), so that it still runs once its package is replaced. A binary
# that cannot be kept is not left there from an even older version either.
SETIA_PREVIOUS=/var/lib/setia/previous
setia_keep_previous() {
    old=$1
    shift
    # A reinstall of this very version: there is no older version to keep.
    if [ -z "$old" ] || [ "$old" = "@_setia_version@" ]; then
        return 0
    fi
    # The previous version already runs the till (an earlier upgrade of the store failed):
    # it stays what previous/ holds.
    if [ -e "$SETIA_PREVIOUS/ACTIVE" ]; then
        echo "Setia: the previous version $(cat "$SETIA_PREVIOUS/VERSION" 2>/dev/null) runs the till ($SETIA_PREVIOUS/ACTIVE) and is kept as it is." >&2
        return 0
    fi
    mkdir -p "$SETIA_PREVIOUS"
    chown root:root "$SETIA_PREVIOUS"
    chmod 0755 "$SETIA_PREVIOUS"
    for b in "$@"; do
        rm -f "$SETIA_PREVIOUS/$b" "$SETIA_PREVIOUS/.$b.new"
        [ -x "/usr/bin/$b" ] || continue
        if ! libs=$(ldd "/usr/bin/$b" 2>&1); then
            echo "Setia: /usr/bin/$b of $old is not kept for a fallback: ldd failed ($libs)." >&2
            continue
        fi
        outside=$(printf '%s\n' "$libs" | awk '$2 == "=>" && $3 !~ /^\/(usr\/)?lib(32|64|x32)?\// { print $1 " " $3 " " $4 }')
        if [ -n "$outside" ]; then
            echo "Setia: /usr/bin/$b of $old is not kept for a fallback: it needs libraries that are not the system's: $outside" >&2
            continue
        fi
        cp "/usr/bin/$b" "$SETIA_PREVIOUS/.$b.new"
        chown root:root "$SETIA_PREVIOUS/.$b.new"
        chmod 0755 "$SETIA_PREVIOUS/.$b.new"
        mv -f "$SETIA_PREVIOUS/.$b.new" "$SETIA_PREVIOUS/$b"
    done
    echo "$old" >"$SETIA_PREVIOUS/VERSION.new"
    chmod 0644 "$SETIA_PREVIOUS/VERSION.new"
    mv -f "$SETIA_PREVIOUS/VERSION.new" "$SETIA_PREVIOUS/VERSION"
}
