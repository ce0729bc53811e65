// A writer process for tst_crash: earns on receipts CRASH-<start>, CRASH-<start+1>, ... and
// prints "ack <receipt>" after each earn has committed, until it is killed.
#include "core/clock.h"
#include "core/crypto.h"
#include "core/loyalty.h"
#include "core/store.h"

#include <QCoreApplication>
#include <QSqlQuery>
#include <QStringList>
#include <QVariant>

#include <cstdio>

using namespace Qt::StringLiterals;

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = QCoreApplication::arguments();
    if (args.size() != 4) {
        std::fprintf(stderr, "usage: setia_crash_writer DB KEY START\n");
        return 2;
    }
    auto store = setia::Store::open(args[1], {setia::Store::Mode::ReadWrite, false});
    if (!store) {
        std::fprintf(stderr, "open: %s\n", qPrintable(store.error().message));
        return 3;
    }
    auto keys = setia::KeyRing::open(args[2], false);
    if (!keys) {
        std::fprintf(stderr, "key: %s\n", qPrintable(keys.error().message));
        return 3;
    }
    setia::SystemClock clock;
    setia::SecureRandom random;
    setia::Loyalty loyalty(*store.value(), std::move(keys).value(), clock, random);
    QStringList members;
    {
        QSqlQuery q(store.value()->writer());
        q.exec(u"SELECT member_id FROM members ORDER BY member_id"_s);
        while (q.next())
            members << q.value(0).toString();
    }
    if (members.isEmpty())
        return 4;
    std::printf("ready\n");
    std::fflush(stdout);
    const qint64 start = args[3].toLongLong();
    for (qint64 i = start; i < start + 1'000'000; ++i) {
        setia::Basket b;
        b.receiptId = u"CRASH-%1"_s.arg(i);
        b.total = 10000 + (i % 37) * 5000;
        b.paymentMethod = u"cash"_s;
        auto r = loyalty.earn(members[i % members.size()], b, u"crash"_s);
        if (!r) {
            std::fprintf(stderr, "earn: %s\n", qPrintable(r.error().message));
            return 5;
        }
        std::printf("ack %s %lld\n", qPrintable(b.receiptId), static_cast<long long>(r->points));
        std::fflush(stdout);
    }
    return 0;
}
