# Shared by the postrm scripts of setia and setia-agent (pasted in by the build: see
# Packaging.cmake), run on purge. The store in /var/lib/setia is deleted only when no other Setia
# package still uses it and either it holds no database or SETIA_PURGE_DATA=1 is set.
#
# Why a database at all blocks the purge: the package cannot tell whether every event in the
# store (every point earned or redeemed) has reached a hub, and a till without a hub has synced
# nothing; deleting the store could lose them. (A refinement: "no event is waiting to sync".)
#
# The hub (setia-hub) keeps its database in the same directory (hub.db*): while it is there or
# setia-hub is installed, only the till's own files are deleted, never the directory.
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
 * Points, receipts and members this till has not synced to a hub (on a till with  *
 * no hub: all of them) exist NOWHERE ELSE.                                        *
 * Nothing was deleted. To keep the data: stop here (the package stays in the      *
 * "config-files" state; `dpkg -l setia*` shows rc). To move it: setiactl backup.  *
 * To delete it for good, as root:                                                 *
 *     SETIA_PURGE_DATA=1 dpkg --purge setia-agent setia                           *
 ***********************************************************************************

MSG
        exit 1
    fi
    hub=$(dpkg-query -W -f='${db:Status-Status}' setia-hub 2>/dev/null || true)
    set -- /var/lib/setia/hub.db*
    if [ -e "$1" ] || { [ -n "$hub" ] && [ "$hub" != "not-installed" ]; }; then
        rm -f /var/lib/setia/setia.db /var/lib/setia/setia.db-* /var/lib/setia/setia.db.* \
            /var/lib/setia/agent.token
        rm -rf /var/lib/setia/previous
        echo "Setia: the till's files in /var/lib/setia are deleted; the directory stays for the hub (setia-hub)." >&2
        return 0
    fi
    rm -rf /var/lib/setia
}
