#pragma once
// The people who use a terminal: cashiers and managers, each with a PIN hashed with scrypt
// (memory-hard). Repeated wrong PINs lock the person out for a while; every failure, lock-out
// and change is audited.
#include "clock.h"
#include "result.h"

#include <QList>
#include <QString>

namespace setia {

class Store;

enum class Role { Cashier, Manager };
QString roleName(Role role);

struct StaffMember {
    QString staffId, name;
    Role role = Role::Cashier;
    bool active = true;
};

class Staff {
public:
    static constexpr int kMaxFailures = 5;              // wrong PINs in a row before a lock-out
    static constexpr qint64 kLockoutMs = 5 * 60 * 1000; // how long the lock-out lasts

    Staff(Store &store, const Clock &clock, Random &random);

    // PINs are 4 to 8 digits and not trivially guessable (1234, 0000, 1212...).
    static Status checkPinStrength(const QString &pin);
    Result<StaffMember> add(const QString &name, Role role, const QString &pin, const QString &actor);
    // Checks the PIN; counts failures, locks out after kMaxFailures. Error codes:
    // unknown_staff, wrong_pin (message says how many tries are left), locked_out.
    Result<StaffMember> authenticate(const QString &name, const QString &pin);
    Status changePin(const QString &name, const QString &oldPin, const QString &newPin);
    Status setActive(const QString &name, bool active, const QString &actor);
    QList<StaffMember> list() const;
    bool hasManager() const;

private:
    Status audit(const QString &actor, const QString &action, const QString &subject, const QString &detail);
    Store &m_store;
    const Clock &m_clock;
    Random &m_random;
};

} // namespace setia
