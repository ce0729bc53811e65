# Shared by the postinst scripts of setia and setia-hub (pasted in by the build: see
# Packaging.cmake), run on configure: the system user and group `setia`, /var/lib/setia (the
# till's store, the hub's database) and /etc/setia. A till and a hub may be on one machine: the
# first package installed makes the user, the other finds it; each configure sets the owner
# and mode of /var/lib/setia again.
setia_system_user() {
    if ! getent group setia >/dev/null; then
        addgroup --system --quiet setia
    fi
    if ! getent passwd setia >/dev/null; then
        adduser --system --quiet --ingroup setia --home /var/lib/setia --no-create-home \
            --shell /usr/sbin/nologin --gecos "Setia loyalty" setia
    fi
    # The store and its key, the agent's token, the hub's database and key: only the setia user
    # and the members of its group may enter. 2770 (set-group-ID): every file made in it belongs
    # to the group setia, and Setia makes a new store 0660 and new keys 0640 there, so a
    # cashier's own desktop account in the group (adduser kasir setia) opens the till's store
    # as the agent does (docs/install.md "The cashier's account"). An installer's
    # `dpkg-statoverride --add ... /var/lib/setia` wins over this.
    if [ ! -d /var/lib/setia ]; then
        mkdir -p /var/lib/setia
    fi
    if ! dpkg-statoverride --list /var/lib/setia >/dev/null 2>&1; then
        chown setia:setia /var/lib/setia
        chmod 2770 /var/lib/setia
    fi
    if [ ! -d /etc/setia ]; then
        mkdir -p /etc/setia
        chmod 0755 /etc/setia
    fi
}
