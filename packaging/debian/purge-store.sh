# Shared by the postrm scripts of setia and setia-agent (pasted in by the build: see
# Packaging.cmake), run on purge. The store in /var/lib/setia is deleted only when no other Setia
# package still uses it and either it holds no database or SETIA_PURGE_DATA=1 is set.
#
# Why a database at all blocks the purge: the hub (issue #5) and sync do not exist yet, so
# every event in the store (every point earned or redeemed) is unsynced and exists nowhere
# else; deleting the store would lose them. Once sync exists, this check becomes "no event is
# waiting to sync".
setia_purge_store() {
    other=$1
    if [ ! -d /var/lib/setia ]; then
        return 0
    fi
    status=$(dpkg-query -W -f='${db:Status-Status}' "$other" 2>/dev/null || true)
    if [ -n "$status" ] && [ "$status" != "not-installed" ] && [ "$status" != "config-files" ]; then
        echo "Setia: /var/lib/setia is kept: the package $other still uses it." >&2
        return 0
    fi
    if [ -e /var/lib/setia/setia.db ] && [ "${SETIA_PURGE_DATA:-0}" != "1" ]; then
        cat >&2 <<'MSG'

 ***********************************************************************************
 * Setia: REFUSING TO DELETE THE STORE /var/lib/setia/setia.db                     *
 *                                                                                 *
 * This till has not synced its events to a hub (Setia has no sync yet), so the    *
 * points, receipts and members in this store exist NOWHERE ELSE.                  *
 * Nothing was deleted. To keep the data: stop here (the package stays in the      *
 * "config-files" state; `dpkg -l setia*` shows rc). To move it: setiactl backup.  *
 * To delete it for good, as root:                                                 *
 *     SETIA_PURGE_DATA=1 dpkg --purge setia-agent setia                           *
 ***********************************************************************************

MSG
        exit 1
    fi
    rm -rf /var/lib/setia
}
