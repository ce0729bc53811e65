#include "staff.h"

#include "crypto.h"
#include "ids.h"
#include "store.h"

#include <QSet>
#include <QVariant>

using namespace Qt::StringLiterals;

namespace setia {

QString roleName(Role role) { return role == Role::Manager ? u"manager"_s : u"cashier"_s; }

Staff::Staff(Store &store, const Clock &clock, Random &random) : m_store(store), m_clock(clock), m_random(random) {}

Status Staff::checkPinStrength(const QString &pin)
{
    if (pin.size() < 4 || pin.size() > 8)
        return makeError(u"weak_pin"_s, u"A PIN has 4 to 8 digits."_s);
    for (QChar c : pin)
        if (c < u'0' || c > u'9')
            return makeError(u"weak_pin"_s, u"A PIN has digits only."_s);
    if (QSet<QChar>(pin.begin(), pin.end()).size() <= 2)
        return makeError(u"weak_pin"_s, u"That PIN is too easy to guess (repeated digits); choose another."_s);
    bool up = true, down = true;
    for (qsizetype i = 1; i < pin.size(); ++i) {
        up = up && pin[i].digitValue() == (pin[i - 1].digitValue() + 1) % 10;
        down = down && pin[i].digitValue() == (pin[i - 1].digitValue() + 9) % 10;
    }
    if (up || down)
        return makeError(u"weak_pin"_s, u"That PIN is too easy to guess (a run of digits); choose another."_s);
    return Ok{};
}

Status Staff::audit(const QString &actor, const QString &action, const QString &subject, const QString &detail)
{
    Stmt q(m_store, u"INSERT INTO audit(at, actor, action, subject, detail) VALUES(?,?,?,?,?)"_s);
    q.addBindValue(m_clock.nowMs());
    q.addBindValue(nonNull(actor));
    q.addBindValue(action);
    q.addBindValue(nonNull(subject));
    q.addBindValue(nonNull(detail));
    return exec(q, "write the audit log");
}

Result<StaffMember> Staff::add(const QString &name, Role role, const QString &pin, const QString &actor)
{
    const QString n = name.simplified();
    if (n.isEmpty() || n.size() > 60)
        return makeError(u"invalid_staff"_s, u"name: give the person's name (up to 60 characters)."_s);
    if (auto st = checkPinStrength(pin); !st)
        return st.error();
    WriteTransaction tx(m_store);
    if (!tx.begun())
        return makeError(u"store_busy"_s, tx.error());
    StaffMember s{uuidv7(m_clock.nowMs(), m_random), n, role, true};
    Stmt q(m_store, u"INSERT INTO staff(staff_id, name, role, pin_hash, created_at) VALUES(?,?,?,?,?)"_s);
    q.addBindValue(s.staffId);
    q.addBindValue(n);
    q.addBindValue(roleName(role));
    q.addBindValue(hashSecret(pin));
    q.addBindValue(m_clock.nowMs());
    if (!q.exec()) {
        const Error e = sqlError(q, "save the staff member");
        if (e.message.contains(u"UNIQUE"_s))
            return makeError(u"duplicate_staff"_s, u"There is already someone called %1."_s.arg(n));
        return e;
    }
    if (auto st = audit(actor, u"staff_add"_s, n, roleName(role)); !st)
        return st.error();
    if (auto st = tx.commit(); !st)
        return st.error();
    return s;
}

Result<StaffMember> Staff::authenticate(const QString &name, const QString &pin)
{
    QString id, hash, role;
    qint64 failed = 0, lockedUntil = 0;
    bool active = false;
    {
        Stmt q(m_store, u"SELECT staff_id, name, role, pin_hash, failed, locked_until, active FROM staff WHERE name = ? COLLATE NOCASE"_s);
        q.addBindValue(name.simplified());
        if (!q.exec())
            return sqlError(q, "read the staff list");
        if (!q.next())
            return makeError(u"unknown_staff"_s, u"Nobody called %1 works on this terminal."_s.arg(name.simplified()));
        id = q.value(0).toString();
        role = q.value(2).toString();
        hash = q.value(3).toString();
        failed = q.value(4).toLongLong();
        lockedUntil = q.value(5).toLongLong();
        active = q.value(6).toBool();
    }
    const qint64 now = m_clock.nowMs();
    if (!active)
        return makeError(u"staff_inactive"_s, u"%1 can no longer sign in on this terminal."_s.arg(name.simplified()));
    if (lockedUntil > now)
        return makeError(u"locked_out"_s, u"Too many wrong PINs: %1 is locked for %2 more minute(s)."_s.arg(name.simplified())
                                              .arg((lockedUntil - now + 59'999) / 60'000));
    const bool ok = verifySecret(pin, hash);
    WriteTransaction tx(m_store);
    if (!tx.begun())
        return makeError(u"store_busy"_s, tx.error());
    Stmt u(m_store, u"UPDATE staff SET failed = ?, locked_until = ? WHERE staff_id = ?"_s);
    if (ok) {
        u.addBindValue(0);
        u.addBindValue(0);
    } else {
        ++failed;
        const bool lock = failed >= kMaxFailures;
        u.addBindValue(lock ? 0 : failed);
        u.addBindValue(lock ? now + kLockoutMs : 0);
    }
    u.addBindValue(id);
    if (auto st = exec(u, "update the sign-in record"); !st)
        return st.error();
    if (!ok) {
        const bool locked = failed >= kMaxFailures;
        if (auto st = audit(name.simplified(), locked ? u"staff_locked"_s : u"staff_wrong_pin"_s, name.simplified(),
                            u"attempt %1"_s.arg(failed));
            !st)
            return st.error();
        if (auto st = tx.commit(); !st)
            return st.error();
        if (locked)
            return makeError(u"locked_out"_s, u"Too many wrong PINs: %1 is locked for %2 minutes."_s.arg(name.simplified())
                                                  .arg(kLockoutMs / 60'000));
        return makeError(u"wrong_pin"_s, u"Wrong PIN; %1 tries left before a %2-minute lock."_s.arg(kMaxFailures - failed)
                                             .arg(kLockoutMs / 60'000));
    }
    if (auto st = tx.commit(); !st)
        return st.error();
    return StaffMember{id, name.simplified(), role == u"manager"_s ? Role::Manager : Role::Cashier, true};
}

Status Staff::changePin(const QString &name, const QString &oldPin, const QString &newPin)
{
    auto who = authenticate(name, oldPin);
    if (!who)
        return who.error();
    if (auto st = checkPinStrength(newPin); !st)
        return st;
    WriteTransaction tx(m_store);
    if (!tx.begun())
        return makeError(u"store_busy"_s, tx.error());
    Stmt q(m_store, u"UPDATE staff SET pin_hash = ? WHERE staff_id = ?"_s);
    q.addBindValue(hashSecret(newPin));
    q.addBindValue(who->staffId);
    if (auto st = exec(q, "save the PIN"); !st)
        return st;
    if (auto st = audit(who->name, u"staff_pin_change"_s, who->name, QString()); !st)
        return st;
    return tx.commit();
}

Status Staff::setActive(const QString &name, bool active, const QString &actor)
{
    WriteTransaction tx(m_store);
    if (!tx.begun())
        return makeError(u"store_busy"_s, tx.error());
    Stmt q(m_store, u"UPDATE staff SET active = ?, failed = 0, locked_until = 0 WHERE name = ? COLLATE NOCASE"_s);
    q.addBindValue(active ? 1 : 0);
    q.addBindValue(name.simplified());
    if (auto st = exec(q, "update the staff member"); !st)
        return st;
    if (q.numRowsAffected() != 1)
        return makeError(u"unknown_staff"_s, u"Nobody called %1 works on this terminal."_s.arg(name.simplified()));
    if (auto st = audit(actor, active ? u"staff_enable"_s : u"staff_disable"_s, name.simplified(), QString()); !st)
        return st;
    return tx.commit();
}

QList<StaffMember> Staff::list() const
{
    QList<StaffMember> out;
    Stmt q(m_store, u"SELECT staff_id, name, role, active FROM staff ORDER BY name"_s);
    if (q.exec())
        while (q.next())
            out << StaffMember{q.value(0).toString(), q.value(1).toString(),
                               q.value(2).toString() == u"manager"_s ? Role::Manager : Role::Cashier, q.value(3).toBool()};
    return out;
}

bool Staff::hasManager() const
{
    Stmt q(m_store, u"SELECT 1 FROM staff WHERE role = 'manager' AND active = 1 LIMIT 1"_s);
    return q.exec() && q.next();
}

} // namespace setia
