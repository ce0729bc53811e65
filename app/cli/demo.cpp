// setiactl demo: seed a demo store and walk through enroll -> earn -> redeem -> reverse.
#include "cli_p.h"

#include "core/ids.h"
#include "core/money.h"
#include "core/store.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QTimeZone>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace setia::cli {

namespace {

const char16_t *const kFirst[] = {u"Siti", u"Budi", u"Dewi", u"Agus", u"Rina", u"Andi", u"Putri", u"Eko", u"Ayu", u"Rudi",
                                  u"Wulan", u"Dimas", u"Intan", u"Fajar", u"Lestari", u"Bayu", u"Nur", u"Hendra", u"Maya",
                                  u"Yusuf", u"Kartika", u"Joko", u"Ratna", u"Made", u"Ketut", u"Nyoman", u"Fitri", u"Gilang"};
const char16_t *const kLast[] = {u"Santoso", u"Wijaya", u"Rahmawati", u"Saputra", u"Hidayat", u"Kusuma", u"Pratama",
                                 u"Siregar", u"Nasution", u"Setiawan", u"Halim", u"Gunawan", u"Lubis", u"Sinaga",
                                 u"Purnomo", u"Susanti", u"Wibowo", u"Permata", u"Tanjung", u"Harahap"};

struct Item {
    const char16_t *sku, *category, *name;
    qint64 price;
};
const Item kItems[] = {
    {u"KOP-001", u"coffee", u"Es Kopi Susu", 28000},   {u"KOP-002", u"coffee", u"Americano", 25000},
    {u"KOP-003", u"coffee", u"Cappuccino", 32000},     {u"BAK-001", u"bakery", u"Butter Croissant", 25000},
    {u"BAK-002", u"bakery", u"Roti Bakar", 18000},     {u"GRO-001", u"grocery", u"Beras 5 kg", 78000},
    {u"GRO-002", u"grocery", u"Minyak Goreng 2 L", 38000}, {u"GRO-003", u"grocery", u"Gula 1 kg", 17500},
    {u"TOB-001", u"tobacco", u"Rokok", 35000},         {u"TOP-001", u"top-up", u"Pulsa 50rb", 51500},
};
const char16_t *const kPayments[] = {u"cash", u"qris", u"debit", u"ewallet"};

QString demoProgramPath()
{
    // Installed layout first, then the source tree (development builds).
    const QString appDir = QCoreApplication::instance() ? QCoreApplication::applicationDirPath() : QString();
    for (const QString &p : {appDir + u"/../share/setia/programs/demo-program.json"_s,
                             QString::fromUtf8(SETIA_DEMO_PROGRAM)})
        if (QFileInfo::exists(p))
            return p;
    return QString::fromUtf8(SETIA_DEMO_PROGRAM);
}


struct SeedStats {
    int members = 0, receipts = 0, redemptions = 0;
};

Result<SeedStats> seed(Context &c, int members, int days, quint64 seedValue)
{
    // A clock the seeder moves through the past `days`, so history looks like a real store.
    ManualClock clock;
    SeededRandom rng(seedValue);
    auto keys = KeyRing::open(c.keyPath, false);
    if (!keys)
        return keys.error();
    Loyalty loyalty(*c.store, std::move(keys).value(), clock, rng);
    const qint64 now = c.clock->nowMs();
    const qint64 start = now - qint64(days) * 86'400'000LL;
    struct Op {
        qint64 at;
        int member; // index
        int kind;   // 0 enroll, 1 earn, 2 redeem
    };
    QList<Op> ops;
    for (int i = 0; i < members; ++i) {
        const qint64 enrolled = start + qint64(rng.below(quint64(days) * 43'200'000ULL));
        ops.append({enrolled, i, 0});
        const int receipts = int(rng.below(7));
        for (int r = 0; r < receipts; ++r)
            ops.append({enrolled + 60'000 + qint64(rng.below(quint64(now - enrolled - 120'000))), i, 1});
        if (receipts >= 4)
            ops.append({now - 60'000 - qint64(rng.below(3'600'000)), i, 2});
    }
    std::stable_sort(ops.begin(), ops.end(), [](const Op &a, const Op &b) { return a.at < b.at; });
    QList<QString> ids(members);
    SeedStats stats;
    const qint64 serialBase = c.loyalty->setting(u"card_serial"_s).toLongLong();
    for (qsizetype chunk = 0; chunk < ops.size(); chunk += 500) {
        WriteTransaction tx(*c.store);
        if (!tx.begun())
            return makeError(u"store_busy"_s, tx.error());
        for (qsizetype k = chunk; k < qMin(ops.size(), chunk + 500); ++k) {
            const Op &op = ops[k];
            // Working hours in the store: move the op into 07:00–21:59 Jakarta time.
            QDateTime local = QDateTime::fromMSecsSinceEpoch(op.at, QTimeZone("Asia/Jakarta"));
            local.setTime(QTime(7 + int(rng.below(15)), int(rng.below(60))));
            clock.set(qMin(local.toMSecsSinceEpoch(), now - 1000));
            if (op.kind == 0) {
                EnrollRequest r;
                r.name = QString::fromUtf16(kFirst[rng.below(std::size(kFirst))]) + u' ' + QString::fromUtf16(kLast[rng.below(std::size(kLast))]);
                r.phone = u"+62812%1"_s.arg(10'000'000 + op.member + qint64(seedValue % 1000) * 100'000, 8, 10, QLatin1Char('0'));
                r.birthDate = QDate(1970 + int(rng.below(35)), 1 + int(rng.below(12)), 1 + int(rng.below(28)));
                r.consent.marketing = rng.below(2) == 1;
                r.consent.whatsapp = rng.below(3) > 0;
                r.cardNumber = makeMemberCardNumber(9, quint64(serialBase + 1 + op.member + qint64(seedValue % 1000) * 1'000'000));
                r.actor = u"demo-seed"_s;
                auto m = loyalty.enroll(r);
                if (!m)
                    return m.error();
                ids[op.member] = m->memberId;
                ++stats.members;
            } else if (op.kind == 1) {
                Basket b;
                b.receiptId = u"DEMO-%1-%2"_s.arg(seedValue).arg(k);
                b.paymentMethod = QString::fromUtf16(kPayments[rng.below(std::size(kPayments))]);
                const int n = 1 + int(rng.below(4));
                for (int l = 0; l < n; ++l) {
                    const Item &it = kItems[rng.below(std::size(kItems))];
                    b.lines << BasketLine{QString::fromUtf16(it.sku), QString::fromUtf16(it.category), QString::fromUtf16(it.name),
                                          1 + qint64(rng.below(3)), it.price};
                    b.total += b.lines.last().amount();
                }
                auto e = loyalty.earn(ids[op.member], b, u"demo-seed"_s);
                if (!e)
                    return e.error();
                ++stats.receipts;
            } else {
                if (loyalty.redeemReward(ids[op.member], u"croissant"_s, u"demo-seed"_s))
                    ++stats.redemptions;
            }
        }
        if (auto st = tx.commit(); !st)
            return st.error();
    }
    return stats;
}

Status prepareDemoStore(Context &c, bool fresh)
{
    const QString path = QFileInfo(c.dbPath).absoluteFilePath();
    if (fresh && QFileInfo::exists(path)) {
        // Only a store the demo made may be replaced.
        auto existing = Store::open(path, Store::Options{Store::Mode::ReadOnly, false});
        bool isDemo = false;
        if (existing) {
            QSqlQuery q(existing.value()->reader());
            q.exec(u"SELECT value FROM settings WHERE key = 'demo'"_s);
            isDemo = q.next() && q.value(0).toString() == u"yes"_s;
        }
        existing = makeError(u""_s, u""_s); // close it
        if (!isDemo)
            return makeError(u"usage"_s, u"%1 exists and is not a demo store; choose another --db for the demo."_s.arg(path));
        for (const QString &suffix : {u""_s, u"-wal"_s, u"-shm"_s, u".key"_s})
            QFile::remove(path + suffix);
        if (c.keyPath != path + u".key"_s)
            QFile::remove(c.keyPath);
    }
    if (auto st = c.openLoyalty(true, true); !st)
        return st;
    if (auto st = c.loyalty->initialize(u"demo-jkt-01"_s, u"Kopi Senja & Mart — Kemang"_s, u"Asia/Jakarta"_s, u"IDR"_s); !st)
        return st;
    {
        QSqlQuery q(c.store->writer());
        q.exec(u"INSERT OR REPLACE INTO settings(key, value) VALUES('demo', 'yes')"_s);
    }
    if (!c.loyalty->program()) {
        QFile f(demoProgramPath());
        if (!f.open(QIODevice::ReadOnly))
            return makeError(u"file"_s, u"cannot read the demo program %1"_s.arg(f.fileName()));
        auto v = c.loyalty->loadProgram(f.readAll(), u"demo"_s);
        if (!v)
            return v.error();
    }
    return Ok{};
}

int cmdDemoSeed(Context &c)
{
    bool ok = false;
    const int members = c.value(u"members"_s, u"200"_s).toInt(&ok);
    if (!ok || members < 1 || members > 2'000'000)
        return c.usage(u"--members must be between 1 and 2000000"_s);
    const int days = c.value(u"days"_s, u"60"_s).toInt(&ok);
    if (!ok || days < 1 || days > 3650)
        return c.usage(u"--days must be between 1 and 3650"_s);
    if (auto st = prepareDemoStore(c, false); !st)
        return c.fail(st.error());
    auto s = seed(c, members, days, c.value(u"seed"_s, u"1"_s).toULongLong());
    if (!s)
        return c.fail(s.error());
    c.reply(QJsonObject{{u"members"_s, s->members}, {u"receipts"_s, s->receipts}, {u"redemptions"_s, s->redemptions}},
           u"Seeded %1 members, %2 receipts, %3 redemptions over %4 days into %5"_s.arg(s->members)
               .arg(s->receipts)
               .arg(s->redemptions)
               .arg(days)
               .arg(c.store->path()));
    return Success;
}

int cmdDemoRun(Context &c)
{
    if (auto st = prepareDemoStore(c, true); !st)
        return c.fail(st.error());
    QTextStream &o = c.out;
    auto step = [&](const QString &title) { o << "\n== " << title << " ==\n"; };
    o << "Setia demo on " << c.store->path() << " (store " << c.loyalty->setting(u"store_name"_s) << ")\n";
    auto seeded = seed(c, c.value(u"members"_s, u"200"_s).toInt(), 45, 7);
    if (!seeded)
        return c.fail(seeded.error());
    o << "Seeded " << seeded->members << " members with " << seeded->receipts << " receipts of history.\n";

    step(u"1. Enroll a new member at the till"_s);
    EnrollRequest r;
    r.name = u"Siti Rahmawati"_s;
    r.phone = u"0812-3456-7890"_s;
    r.email = u"siti@example.id"_s;
    r.birthDate = QDate(1994, 3, 15);
    r.consent = {true, true};
    r.issueDigitalCard = true;
    r.actor = u"kasir-ani"_s;
    auto m = c.loyalty->enroll(r);
    if (!m)
        return c.fail(m.error());
    const QString id = m->memberId;
    o << "Enrolled " << m->profile.name << ", phone " << m->profile.phone << " (typed as 0812-3456-7890)\n"
      << "Digital card " << m->cards.value(0).number << ", tier " << m->tierName << ", balance " << m->balance << " points\n";

    step(u"2. Quote a basket (nothing is saved)"_s);
    Basket b;
    b.receiptId = u"POS-0001"_s;
    b.paymentMethod = u"qris"_s;
    b.lines = {{u"KOP-001"_s, u"coffee"_s, u"Es Kopi Susu"_s, 2, 28000},
               {u"BAK-001"_s, u"bakery"_s, u"Butter Croissant"_s, 1, 25000},
               {u"TOB-001"_s, u"tobacco"_s, u"Rokok"_s, 1, 35000}};
    b.total = 116000;
    auto q = c.loyalty->quote(id, b);
    if (!q)
        return c.fail(q.error());
    o << "Basket " << c.money(b.total) << " paid with QRIS would earn " << q->totalPoints() << " points:\n";
    for (const auto &l : q->lines)
        o << "    " << l.label << (l.amount ? u" ("_s + c.money(l.amount) + u")"_s : QString()) << ": "
          << (l.kind == u"excluded"_s ? u"no points"_s : u"%1%2"_s.arg(l.points >= 0 ? u"+"_s : QString()).arg(l.points)) << '\n';

    step(u"3. Earn on receipt POS-0001"_s);
    auto e1 = c.loyalty->earn(id, b, u"kasir-ani"_s);
    if (!e1)
        return c.fail(e1.error());
    o << "Earned " << e1->points << " points (+" << e1->bonusPoints << " bonus). Balance: " << e1->balance << " points\n";
    auto again = c.loyalty->earn(id, b, u"kasir-ani"_s);
    o << "The POS retried the same receipt: " << (again && again->replayed ? "recognised, nothing earned twice" : "ERROR") << ". Balance: "
      << (again ? again->balance : -1) << " points\n";

    step(u"4. A big catering order moves the member to a higher tier"_s);
    Basket big;
    big.receiptId = u"POS-0002"_s;
    big.paymentMethod = u"debit"_s;
    big.lines = {{u"KOP-003"_s, u"coffee"_s, u"Cappuccino"_s, 40, 32000}, {u"BAK-001"_s, u"bakery"_s, u"Butter Croissant"_s, 40, 25000}};
    big.total = 40 * 32000 + 40 * 25000;
    auto e2 = c.loyalty->earn(id, big, u"kasir-ani"_s);
    if (!e2)
        return c.fail(e2.error());
    o << "Receipt POS-0002, " << c.money(big.total) << ": earned " << e2->points << " points";
    if (e2->bonusPoints)
        o << " + " << e2->bonusPoints << " bonus";
    o << ":\n";
    for (const auto &l : e2->explanation)
        o << "    " << l.label << (l.amount ? u" ("_s + c.money(l.amount) + u")"_s : QString()) << ": "
          << (l.points >= 0 ? "+" : "") << l.points << '\n';
    o << "Balance: " << e2->balance << " points, tier " << e2->tierId << (e2->tierChanged ? " (upgraded)" : "") << '\n';

    step(u"5. Redeem a reward"_s);
    auto red = c.loyalty->redeemReward(id, u"es-kopi-susu"_s, u"kasir-ani"_s);
    if (!red)
        return c.fail(red.error());
    o << "Redeemed Es Kopi Susu for " << red->points << " points. Balance: " << red->balance << " points\n";

    step(u"6. Refunds take the points back"_s);
    auto rv = c.loyalty->reverse(u"POS-0001"_s, std::nullopt, u"Customer returned the order"_s, u"manager-budi"_s);
    if (!rv)
        return c.fail(rv.error());
    o << "Full refund of POS-0001: " << rv->pointsReversed << " points reversed. Balance: " << rv->balance << " points\n";
    auto part = c.loyalty->reverse(u"POS-0002"_s, 500000, u"10 cappuccino returned"_s, u"manager-budi"_s);
    if (!part)
        return c.fail(part.error());
    o << "Partial refund of " << c.money(500000) << " on POS-0002: " << part->pointsReversed << " points reversed. Balance: "
      << part->balance << " points\n";
    auto twice = c.loyalty->reverse(u"POS-0001"_s, std::nullopt, u"again"_s, u"manager-budi"_s);
    o << "Refunding POS-0001 a second time: " << (twice ? u"ERROR: accepted"_s : twice.error().message) << '\n';

    step(u"7. Verify the ledger"_s);
    const VerifyReport v = c.loyalty->verify();
    o << (v.ok() ? "OK" : "PROBLEMS") << ": " << v.events << " events, " << v.members
      << " member balances equal the sum of their events; every hash-chain link checks out.\n";
    for (const QString &p : v.problems.mid(0, 5))
        o << "  " << p << '\n';

    step(u"8. Today's report"_s);
    const auto [from, to] = storeDayBounds(c.loyalty->nowMs(), u"Asia/Jakarta"_s);
    const Report rep = c.loyalty->report(from, to);
    o << "Receipts " << rep.receipts << ", spend " << c.money(rep.spend) << ", points earned " << rep.pointsEarned
      << ", redeemed " << rep.pointsRedeemed << ", reversed " << rep.pointsReversed << '\n';
    o << "\nTry it yourself:\n  setiactl --db " << c.store->path() << " member find siti\n  setiactl --db " << c.store->path()
      << " member history " << m->cards.value(0).number << "\n";
    o.flush();
    return v.ok() ? Success : CheckFailed;
}

} // namespace

QList<Command> demoCommands()
{
    return {
        {u"demo seed"_s, u"fill a demo store with members and history"_s, u"[--members N] [--days D] [--seed S]"_s,
         {u"members="_s, u"days="_s, u"seed="_s}, true, true, cmdDemoSeed},
        {u"demo run"_s, u"a fresh demo store and a walk through enroll, earn, redeem, reverse"_s, u"[--members N]"_s,
         {u"members="_s}, true, true, cmdDemoRun},
    };
}

} // namespace setia::cli
