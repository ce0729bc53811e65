// Core benchmarks on a store of 1,000,000 members and 20,000,000 events (docs/performance.md).
//
//   build/release/tests/bench/bench_core --store /path/big.db [--members N] [--events N]
//       [benchmark flags, e.g. --benchmark_filter=Lookup]
//
// The store is generated once (bulk SQL with real encrypted profiles, real hash chains and
// consistent balances and lots) and reused by later runs. Figures reported:
//   LookupByCard  p50/p99 of Loyalty::memberByCard (card -> member panel data)
//   Quote         p50/p99 of Loyalty::quote for a 3-line basket
//   EarnVsBareInsert  durable earn commits/s and, interleaved in the same run on the same
//                 disk, bare SQLite single-row INSERT commits/s (WAL, synchronous=FULL);
//                 counter "ratio" = earn rate / bare rate (target >= 0.8)
//   CommitOf11Pages  durable commits of 1 row vs 11 rows in 11 tables, interleaved: what the
//                 size of a commit costs on this disk (ratio near 1: the earn's gap is CPU)
#include "testsupport.h"

#include "core/crypto.h"
#include "core/ids.h"
#include "core/ledger.h"

#include <benchmark/benchmark.h>
#include <sqlite3.h>

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSqlQuery>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

using namespace Qt::StringLiterals;
using namespace setia;

namespace {

QString g_store;
qint64 g_members = 1'000'000;
qint64 g_events = 20'000'000;
constexpr int kTerminals = 20;

struct World {
    std::unique_ptr<Store> store;
    std::unique_ptr<Loyalty> loyalty;
    SystemClock clock;
    SecureRandom random;
};
World *g_world = nullptr;

void check(int rc, sqlite3 *db, const char *what)
{
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
        std::fprintf(stderr, "%s: %s\n", what, sqlite3_errmsg(db));
        std::exit(1);
    }
}

QString cardFor(qint64 i) { return makeMemberCardNumber(9, quint64(i)); }

// Builds the big store with SQL bulk inserts: far faster than the services, same result.
void generate(const QString &path)
{
    std::fprintf(stderr, "generating %lld members and %lld events into %s (once)...\n", (long long)g_members,
                 (long long)g_events, qPrintable(path));
    QElapsedTimer t;
    t.start();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const qint64 start = now - 365LL * 86'400'000LL;
    {
        auto s = Store::open(path, {Store::Mode::ReadWrite, true});
        if (!s) {
            std::fprintf(stderr, "%s\n", qPrintable(s.error().message));
            std::exit(1);
        }
        auto keys = KeyRing::open(path + u".key"_s, true);
        ManualClock clock(start - 86'400'000LL);
        SeededRandom random(1);
        Loyalty l(**s, std::move(keys).value(), clock, random);
        if (!l.initialize(u"bench-store"_s, u"Bench"_s, u"Asia/Jakarta"_s, u"IDR"_s) || !l.loadProgram(test::demoProgram(), u"bench"_s)) {
            std::fprintf(stderr, "cannot initialise the bench store\n");
            std::exit(1);
        }
    }
    auto keys = KeyRing::open(path + u".key"_s, false).value();
    sqlite3 *db = nullptr;
    check(sqlite3_open(QFile::encodeName(path).constData(), &db), db, "open");
    check(sqlite3_exec(db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-1000000; BEGIN", nullptr, nullptr, nullptr), db, "pragmas");
    auto prep = [&](const char *sql) {
        sqlite3_stmt *st = nullptr;
        check(sqlite3_prepare_v2(db, sql, -1, &st, nullptr), db, sql);
        return st;
    };
    sqlite3_stmt *insMember = prep("INSERT INTO members(member_id,status,phone_index,profile,wrapped_key,referral_code,home_store,tier_id,enrolled_at,updated_at) VALUES(?,'active',?,?,?,?,'bench-store','silver',?,?)");
    sqlite3_stmt *insCard = prep("INSERT INTO cards(card_number,member_id,kind,status,issued_at) VALUES(?,?,'barcode','active',?)");
    sqlite3_stmt *insEvent = prep("INSERT INTO events(event_id,terminal_id,terminal_seq,hlc,occurred_at,type,member_id,points,amount,receipt_id,ref_event_id,actor,payload,prev_hash,hash) VALUES(?,?,?,?,?,?,?,?,?,?,NULL,'gen',?,?,?)");
    sqlite3_stmt *insLot = prep("INSERT INTO lots(event_id,member_id,earned_at,expires_at,remaining) VALUES(?,?,?,NULL,?)");
    sqlite3_stmt *insBalance = prep("INSERT INTO balances(member_id,points,last_seq) VALUES(?,?,0)");
    auto bindText = [](sqlite3_stmt *st, int i, const QByteArray &b) { sqlite3_bind_text(st, i, b.constData(), int(b.size()), SQLITE_TRANSIENT); };
    auto step = [&](sqlite3_stmt *st, const char *what) {
        check(sqlite3_step(st), db, what);
        sqlite3_reset(st);
    };

    SeededRandom rng(2);
    std::vector<QByteArray> ids(static_cast<size_t>(g_members));
    std::vector<qint64> balances(static_cast<size_t>(g_members), 0);
    QStringList terminals;
    for (int i = 0; i < kTerminals; ++i)
        terminals << uuidv7(start, rng);
    std::vector<qint64> seq(kTerminals, 0);
    std::vector<QString> prev(kTerminals, kGenesisHash);
    qint64 written = 0;
    auto event = [&](LedgerEvent e) {
        const int term = int(written % kTerminals);
        e.terminalId = terminals[term];
        e.terminalSeq = ++seq[size_t(term)];
        e.hlc = HybridLogicalClock::make(e.occurredAt, 0);
        e.eventId = uuidv7(e.occurredAt, rng);
        e.prevHash = prev[size_t(term)];
        e.actor = u"gen"_s;
        e.hash = computeHash(e);
        prev[size_t(term)] = e.hash;
        bindText(insEvent, 1, e.eventId.toLatin1());
        bindText(insEvent, 2, e.terminalId.toLatin1());
        sqlite3_bind_int64(insEvent, 3, e.terminalSeq);
        sqlite3_bind_int64(insEvent, 4, e.hlc);
        sqlite3_bind_int64(insEvent, 5, e.occurredAt);
        bindText(insEvent, 6, e.type.toLatin1());
        bindText(insEvent, 7, e.memberId.toLatin1());
        sqlite3_bind_int64(insEvent, 8, e.points);
        sqlite3_bind_int64(insEvent, 9, e.amount);
        if (e.receiptId.isEmpty())
            sqlite3_bind_null(insEvent, 10);
        else
            bindText(insEvent, 10, e.receiptId.toLatin1());
        bindText(insEvent, 11, canonicalJson(e.payload));
        bindText(insEvent, 12, e.prevHash.toLatin1());
        bindText(insEvent, 13, e.hash.toLatin1());
        step(insEvent, "event");
        ++written;
        if (written % 200'000 == 0) {
            check(sqlite3_exec(db, "COMMIT; BEGIN", nullptr, nullptr, nullptr), db, "commit");
            std::fprintf(stderr, "  %lld events, %.0f s\n", (long long)written, double(t.elapsed()) / 1000.0);
        }
        return e;
    };
    // Members: enrolled over the first days, each with an encrypted profile and a card.
    for (qint64 i = 0; i < g_members; ++i) {
        const qint64 at = start + i * 1000;
        const QString id = uuidv7(at, rng);
        ids[size_t(i)] = id.toLatin1();
        const QString phone = u"+62811%1"_s.arg(i, 8, 10, QLatin1Char('0'));
        const QByteArray key = keys.newMemberKey();
        const QJsonObject profile{{u"name"_s, u"Anggota %1"_s.arg(i)}, {u"phone"_s, phone}, {u"email"_s, QString()},
                                  {u"birthDate"_s, u"1990-05-17"_s}};
        const QByteArray sealed = aesGcmEncrypt(key, QJsonDocument(profile).toJson(QJsonDocument::Compact), "profile:" + id.toUtf8());
        const QByteArray wrapped = keys.wrapMemberKey(id, key);
        bindText(insMember, 1, ids[size_t(i)]);
        bindText(insMember, 2, keys.blindIndex(u"phone"_s, phone).toLatin1());
        sqlite3_bind_blob(insMember, 3, sealed.constData(), int(sealed.size()), SQLITE_TRANSIENT);
        sqlite3_bind_blob(insMember, 4, wrapped.constData(), int(wrapped.size()), SQLITE_TRANSIENT);
        bindText(insMember, 5, u"G%1"_s.arg(i).toLatin1());
        sqlite3_bind_int64(insMember, 6, at);
        sqlite3_bind_int64(insMember, 7, at);
        step(insMember, "member");
        bindText(insCard, 1, cardFor(i).toLatin1());
        bindText(insCard, 2, ids[size_t(i)]);
        sqlite3_bind_int64(insCard, 3, at);
        step(insCard, "card");
        LedgerEvent e;
        e.type = EventType::Enroll;
        e.memberId = id;
        e.occurredAt = at;
        e.payload = QJsonObject{{u"profile"_s, QString::fromLatin1(sealed.toBase64())}, {u"homeStore"_s, u"bench-store"_s}};
        event(e);
        LedgerEvent c;
        c.type = EventType::CardAssign;
        c.memberId = id;
        c.occurredAt = at;
        c.payload = QJsonObject{{u"card"_s, cardFor(i)}, {u"kind"_s, u"barcode"_s}};
        event(c);
    }
    // Earn history spread over the year.
    const qint64 earns = g_events - written;
    const qint64 span = now - 86'400'000LL - (start + g_members * 1000);
    for (qint64 k = 0; k < earns; ++k) {
        const qint64 m = qint64(rng.below(quint64(g_members)));
        LedgerEvent e;
        e.type = EventType::Earn;
        e.memberId = QString::fromLatin1(ids[size_t(m)]);
        e.occurredAt = start + g_members * 1000 + span / earns * k;
        e.amount = 10000 + qint64(rng.below(40)) * 5000;
        e.points = e.amount / 10000;
        e.receiptId = u"G-%1"_s.arg(k);
        e.payload = QJsonObject{{u"basket"_s, QJsonObject{{u"total"_s, e.amount}}}, {u"programVersion"_s, 1}};
        const LedgerEvent w = event(e);
        bindText(insLot, 1, w.eventId.toLatin1());
        bindText(insLot, 2, ids[size_t(m)]);
        sqlite3_bind_int64(insLot, 3, w.occurredAt);
        sqlite3_bind_int64(insLot, 4, w.points);
        step(insLot, "lot");
        balances[size_t(m)] += w.points;
    }
    for (qint64 i = 0; i < g_members; ++i) {
        bindText(insBalance, 1, ids[size_t(i)]);
        sqlite3_bind_int64(insBalance, 2, balances[size_t(i)]);
        step(insBalance, "balance");
    }
    for (auto *st : {insMember, insCard, insEvent, insLot, insBalance})
        sqlite3_finalize(st);
    check(sqlite3_exec(db, "COMMIT; PRAGMA journal_mode=WAL; ANALYZE", nullptr, nullptr, nullptr), db, "finish");
    sqlite3_close(db);
    std::fprintf(stderr, "generated in %.0f s, %.1f GiB\n", double(t.elapsed()) / 1000.0,
                 double(QFileInfo(path).size()) / (1024.0 * 1024.0 * 1024.0));
}

World &world()
{
    if (!g_world) {
        if (!QFileInfo::exists(g_store))
            generate(g_store);
        g_world = new World;
        auto s = Store::open(g_store, {Store::Mode::ReadWrite, false});
        if (!s) {
            std::fprintf(stderr, "%s\n", qPrintable(s.error().message));
            std::exit(1);
        }
        g_world->store = std::move(s).value();
        g_world->loyalty = std::make_unique<Loyalty>(*g_world->store, KeyRing::open(g_store + u".key"_s, false).value(),
                                                     g_world->clock, g_world->random);
    }
    return *g_world;
}

void percentiles(benchmark::State &state, std::vector<double> &us)
{
    if (us.empty())
        return;
    std::sort(us.begin(), us.end());
    state.counters["p50_us"] = us[us.size() / 2];
    state.counters["p99_us"] = us[std::min(us.size() - 1, us.size() * 99 / 100)];
    state.counters["max_us"] = us.back();
}

void LookupByCard(benchmark::State &state)
{
    World &w = world();
    SeededRandom rng(3);
    std::vector<double> us;
    for (auto _ : state) {
        const QString card = cardFor(qint64(rng.below(quint64(g_members))));
        const auto t0 = std::chrono::steady_clock::now();
        auto m = w.loyalty->memberByCard(card);
        const auto t1 = std::chrono::steady_clock::now();
        if (!m) {
            state.SkipWithError(qPrintable(m.error().message));
            break;
        }
        benchmark::DoNotOptimize(m->balance);
        us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    }
    percentiles(state, us);
}
BENCHMARK(LookupByCard)->Iterations(20000)->Unit(benchmark::kMicrosecond);

void Quote(benchmark::State &state)
{
    World &w = world();
    SeededRandom rng(4);
    std::vector<double> us;
    Basket b;
    b.receiptId = u"Q"_s;
    b.paymentMethod = u"qris"_s;
    b.lines = {{u"KOP-001"_s, u"coffee"_s, u"Es Kopi Susu"_s, 2, 28000},
               {u"BAK-001"_s, u"bakery"_s, u"Croissant"_s, 1, 25000},
               {u"TOB-001"_s, u"tobacco"_s, u"Rokok"_s, 1, 35000}};
    b.total = 116000;
    std::vector<QString> members;
    for (int i = 0; i < 2000; ++i)
        members.push_back(w.loyalty->memberByCard(cardFor(qint64(rng.below(quint64(g_members)))))->memberId);
    size_t i = 0;
    for (auto _ : state) {
        const auto t0 = std::chrono::steady_clock::now();
        auto q = w.loyalty->quote(members[i++ % members.size()], b);
        const auto t1 = std::chrono::steady_clock::now();
        if (!q) {
            state.SkipWithError(qPrintable(q.error().message));
            break;
        }
        benchmark::DoNotOptimize(q->points);
        us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    }
    percentiles(state, us);
}
BENCHMARK(Quote)->Iterations(5000)->Unit(benchmark::kMicrosecond);

// Durable earn vs a bare durable single-row insert, interleaved so both see the same disk.
void EarnVsBareInsert(benchmark::State &state)
{
    World &w = world();
    const QString barePath = QFileInfo(g_store).absolutePath() + u"/bare-insert.db"_s;
    for (const QString &s : {u""_s, u"-wal"_s, u"-shm"_s})
        QFile::remove(barePath + s);
    sqlite3 *bare = nullptr;
    check(sqlite3_open(QFile::encodeName(barePath).constData(), &bare), bare, "open bare");
    check(sqlite3_exec(bare, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                             "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT NOT NULL)", nullptr, nullptr, nullptr),
          bare, "bare schema");
    sqlite3_stmt *ins = nullptr;
    check(sqlite3_prepare_v2(bare, "INSERT INTO t(v) VALUES(?)", -1, &ins, nullptr), bare, "prepare");
    SeededRandom rng(5);
    std::vector<QString> members;
    for (int i = 0; i < 500; ++i)
        members.push_back(w.loyalty->memberByCard(cardFor(qint64(rng.below(quint64(g_members)))))->memberId);
    double earnSeconds = 0, bareSeconds = 0;
    qint64 n = 0;
    const QString run = QString::number(QDateTime::currentMSecsSinceEpoch());
    std::vector<double> us;
    for (auto _ : state) {
        auto t0 = std::chrono::steady_clock::now();
        check(sqlite3_exec(bare, "BEGIN", nullptr, nullptr, nullptr), bare, "begin");
        sqlite3_bind_text(ins, 1, "a receipt-sized row of text", -1, SQLITE_STATIC);
        check(sqlite3_step(ins), bare, "insert");
        sqlite3_reset(ins);
        check(sqlite3_exec(bare, "COMMIT", nullptr, nullptr, nullptr), bare, "commit");
        auto t1 = std::chrono::steady_clock::now();
        Basket b;
        b.receiptId = u"B-%1-%2"_s.arg(run).arg(n);
        b.total = 50000 + (n % 10) * 10000;
        b.paymentMethod = u"cash"_s;
        auto r = w.loyalty->earn(members[size_t(n) % members.size()], b, u"bench"_s);
        auto t2 = std::chrono::steady_clock::now();
        if (!r) {
            state.SkipWithError(qPrintable(r.error().message));
            break;
        }
        bareSeconds += std::chrono::duration<double>(t1 - t0).count();
        earnSeconds += std::chrono::duration<double>(t2 - t1).count();
        us.push_back(std::chrono::duration<double, std::micro>(t2 - t1).count());
        ++n;
    }
    sqlite3_finalize(ins);
    sqlite3_close(bare);
    percentiles(state, us);
    state.counters["earn_per_s"] = double(n) / earnSeconds;
    state.counters["bare_insert_per_s"] = double(n) / bareSeconds;
    state.counters["ratio"] = bareSeconds / earnSeconds;
}
BENCHMARK(EarnVsBareInsert)->Iterations(2000)->Unit(benchmark::kMicrosecond);

// What the size of a commit costs on this disk: a durable commit of one row in one table
// against one of a row in each of 11 tables (11+ B-tree pages, about what an earn dirties),
// interleaved. A ratio near 1 means the earn's gap to the bare insert is CPU, not I/O.
void CommitOf11Pages(benchmark::State &state)
{
    const QString dir = QFileInfo(g_store).absolutePath();
    auto open = [&](const QString &name, int tables) {
        const QString path = dir + name;
        for (const QString &s : {u""_s, u"-wal"_s, u"-shm"_s})
            QFile::remove(path + s);
        sqlite3 *db = nullptr;
        check(sqlite3_open(QFile::encodeName(path).constData(), &db), db, "open");
        check(sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA wal_autocheckpoint=10000", nullptr,
                           nullptr, nullptr),
              db, "pragmas");
        std::vector<sqlite3_stmt *> ins;
        for (int t = 0; t < tables; ++t) {
            const QByteArray create = "CREATE TABLE t" + QByteArray::number(t) + "(id INTEGER PRIMARY KEY, v TEXT NOT NULL)";
            check(sqlite3_exec(db, create.constData(), nullptr, nullptr, nullptr), db, "create");
            const QByteArray sql = "INSERT INTO t" + QByteArray::number(t) + "(v) VALUES('a receipt-sized row of text')";
            sqlite3_stmt *st = nullptr;
            check(sqlite3_prepare_v2(db, sql.constData(), -1, &st, nullptr), db, "prepare");
            ins.push_back(st);
        }
        return std::pair{db, ins};
    };
    auto [one, oneIns] = open(u"/commit-1.db"_s, 1);
    auto [eleven, elevenIns] = open(u"/commit-11.db"_s, 11);
    auto commit = [](sqlite3 *db, const std::vector<sqlite3_stmt *> &ins) {
        check(sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr), db, "begin");
        for (sqlite3_stmt *st : ins) {
            check(sqlite3_step(st), db, "insert");
            sqlite3_reset(st);
        }
        check(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), db, "commit");
    };
    double oneSeconds = 0, elevenSeconds = 0;
    qint64 n = 0;
    for (auto _ : state) {
        auto t0 = std::chrono::steady_clock::now();
        commit(one, oneIns);
        auto t1 = std::chrono::steady_clock::now();
        commit(eleven, elevenIns);
        auto t2 = std::chrono::steady_clock::now();
        oneSeconds += std::chrono::duration<double>(t1 - t0).count();
        elevenSeconds += std::chrono::duration<double>(t2 - t1).count();
        ++n;
    }
    for (auto *st : oneIns)
        sqlite3_finalize(st);
    for (auto *st : elevenIns)
        sqlite3_finalize(st);
    sqlite3_close(one);
    sqlite3_close(eleven);
    state.counters["one_row_per_s"] = double(n) / oneSeconds;
    state.counters["eleven_rows_per_s"] = double(n) / elevenSeconds;
    state.counters["ratio"] = oneSeconds / elevenSeconds;
}
BENCHMARK(CommitOf11Pages)->Iterations(2000)->Unit(benchmark::kMicrosecond);

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    std::vector<char *> rest;
    for (int i = 0; i < argc; ++i) {
        const QByteArray a(argv[i]);
        if ((a == "--store" || a == "--members" || a == "--events") && i + 1 < argc) {
            const QByteArray v(argv[++i]);
            if (a == "--store")
                g_store = QString::fromLocal8Bit(v);
            else if (a == "--members")
                g_members = v.toLongLong();
            else
                g_events = v.toLongLong();
        } else {
            rest.push_back(argv[i]);
        }
    }
    if (g_store.isEmpty())
        g_store = QDir::current().filePath(u"bench-%1m-%2m.db"_s.arg(double(g_members) / 1e6).arg(double(g_events) / 1e6));
    if (g_events < 2 * g_members) {
        std::fprintf(stderr, "--events must be at least 2 x --members (enroll + card per member)\n");
        return 2;
    }
    int n = int(rest.size());
    benchmark::Initialize(&n, rest.data());
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    delete g_world;
    return 0;
}
