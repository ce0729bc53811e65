// Sync benchmarks (issue #5, docs/sync.md, docs/performance.md "Sync"), on loopback only:
//
//   build-perf/tests/bench/bench_sync [benchmark flags, e.g. --benchmark_filter=PushVsCopy]
//   SETIA_BENCH_SCALE=0.05 build-perf/tests/bench/bench_sync   (both sizes at 5 %, a quick check)
//   SETIA_BENCH_PG_SHARED_BUFFERS=512MB ...                    (PostgreSQL with a production-sized cache)
//   SETIA_BENCH_BATCH=1000 ...                                 (another push batch size than the default 500)
//   SETIA_BENCH_HUB_SAME_THREAD=1 ...                          (the hub on the terminal's thread, as until round 7)
//
// The benchmark starts its own PostgreSQL (setia::test::PgServer, the test server: fsync off,
// TCP on 127.0.0.1) and runs the hub in this process: HubStore on that PostgreSQL and
// HubServer on 127.0.0.1:0, on a thread of its own (SETIA_BENCH_HUB_SAME_THREAD=1: on the
// terminal's thread, as until round 7). The terminal is a real store (SQLite) with the real SyncClient (its default
// ClientConfig: push batches of 500, feed pages of 1,000) talking HTTP to the hub.
//
//   PushVsCopy    a terminal store with 100,000 events (5,000 enrollments with a card each,
//                 then earnings spread at random over those members and over 200 days),
//                 pushed to the PostgreSQL hub: push_s (until the outbox is empty), sync_s
//                 (the whole sync: push, the feed pull that follows, the lease),
//                 push_events_per_s, and the CPU the sync used here (sync_cpu_s) and in the
//                 hub's PostgreSQL backend (sync_pg_cpu_s). Then, in the same run, psql's \copy
//                 of the same rows (the hub's own rows of these events, exported as CSV) into a
//                 fresh copy of the hub's events table (LIKE events INCLUDING ALL): copy_s,
//                 copy_rows_per_s. ratio = copy_s / push_s (target >= 0.25).
//   PushCodec     the wire format of one batch of 500 (encode, decode, the answer both ways),
//                 per event: the floor under push_events_per_s that is not the database.
//   PushDecode    the hub's decodePush() of such a batch alone, per event.
//   InitialFeedPull  a hub whose feed holds 1,000,000 members (real sealed profiles under the
//                 chain's key ring, wrapped keys, phone indexes, one card, a balance; members,
//                 cards and feed rows written with COPY, the bodies as flush() writes them) and
//                 a new terminal registered with a token: pull_s = its first sync, until it
//                 has the whole feed (target <= 60 s).
//
// Generation is not measured. SETIA_BENCH_SCALE multiplies the sizes (default 1).
#include "pgserver.h"
#include "testsupport.h"

#include "core/crypto.h"
#include "core/ids.h"
#include "core/ledger.h"
#include "sync/client/syncclient.h"
#include "sync/hub/hubserver.h"
#include "sync/hub/hubstore.h"

#include <benchmark/benchmark.h>

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QRegularExpression>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <memory>
#include <unistd.h>

using namespace Qt::StringLiterals;
using namespace setia;

namespace {

double g_scale = 1.0;
test::PgServer *g_pg = nullptr;
QTemporaryDir *g_dir = nullptr;
int g_databases = 0;

constexpr qint64 kPushTimeoutMs = 30 * 60'000;
constexpr qint64 kPullTimeoutMs = 60 * 60'000;

[[noreturn]] void die(const QString &what)
{
    std::fprintf(stderr, "bench_sync: %s\n", qPrintable(what));
    std::exit(1);
}

void note(const QString &what) { std::fprintf(stderr, "bench_sync: %s\n", qPrintable(what)); }

QString chainKeyPath() { return g_dir->filePath(u"chain.key"_s); }

QByteArray psql(const QString &database, const QStringList &commands, qint64 timeoutMs = 30 * 60'000);

// The test server as tst_sync uses it (fsync off, shared_buffers 16MB). SETIA_BENCH_PG_SHARED_BUFFERS
// (e.g. 512MB) sets a production-like buffer cache for the whole run instead.
test::PgServer &pg()
{
    if (!g_pg) {
        g_pg = new test::PgServer;
        if (!g_pg->start())
            die(u"PostgreSQL did not start: "_s + g_pg->error());
        if (const QString buffers = qEnvironmentVariable("SETIA_BENCH_PG_SHARED_BUFFERS"); !buffers.isEmpty()) {
            psql(u"setia"_s, {u"ALTER SYSTEM SET shared_buffers = '%1'"_s.arg(buffers)});
            if (!g_pg->restart())
                die(u"PostgreSQL did not restart: "_s + g_pg->error());
            note(u"PostgreSQL shared_buffers = "_s + QString::fromUtf8(psql(u"setia"_s, {u"SHOW shared_buffers"_s}).trimmed()));
        }
    }
    return *g_pg;
}

QString connInfo(const QString &database)
{
    return u"host=%1 port=%2 dbname=%3 user=%4"_s.arg(pg().host()).arg(pg().port()).arg(database, pg().user());
}

// psql from the server's own binaries, with ON_ERROR_STOP, unaligned tuples only; each string
// is one -c. Its output.
QByteArray psql(const QString &database, const QStringList &commands, qint64 timeoutMs)
{
    QStringList args{u"-X"_s, u"-q"_s, u"-A"_s, u"-t"_s, u"-v"_s, u"ON_ERROR_STOP=1"_s, u"-d"_s, connInfo(database)};
    for (const QString &c : commands)
        args << u"-c"_s << c;
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(pg().binDir() + u"/psql"_s, args);
    if (!p.waitForStarted(10000) || !p.waitForFinished(int(timeoutMs)))
        die(u"psql did not finish: "_s + commands.join(u"; "_s));
    const QByteArray out = p.readAll();
    if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
        die(u"psql failed (%1): %2"_s.arg(commands.join(u"; "_s), QString::fromUtf8(out)));
    return out;
}

// CPU seconds this process has used (the terminal, its client and the in-process hub).
double processCpuSeconds()
{
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return double(t.tv_sec) + double(t.tv_nsec) / 1e9;
}

// CPU seconds the PostgreSQL backends serving database have used so far (from /proc).
double backendCpuSeconds(const QString &database)
{
    const QByteArray pids = psql(u"setia"_s, {u"SELECT pid FROM pg_stat_activity WHERE datname = '%1'"_s.arg(database)});
    double total = 0;
    for (const QByteArray &pid : pids.split('\n')) {
        QFile f(u"/proc/%1/stat"_s.arg(QString::fromLatin1(pid.trimmed())));
        if (pid.trimmed().isEmpty() || !f.open(QIODevice::ReadOnly))
            continue;
        const QByteArray stat = f.readAll();
        const QList<QByteArray> fields = stat.mid(stat.lastIndexOf(')') + 2).split(' '); // fields from 3 on
        if (fields.size() > 12)
            total += double(fields.at(11).toLongLong() + fields.at(12).toLongLong()) / double(sysconf(_SC_CLK_TCK));
    }
    return total;
}

QString newDatabase()
{
    const QString name = u"bench%1"_s.arg(++g_databases);
    psql(u"setia"_s, {u"CREATE DATABASE "_s + name});
    return name;
}

// The chain's program: tiers by spend over 365 days, as tst_sync uses.
QByteArray program()
{
    QJsonObject p = test::baseProgram();
    p.insert(u"effectiveFrom"_s, u"2024-01-01T00:00:00+07:00"_s);
    p.insert(u"tierWindow"_s, QJsonObject{{u"basis"_s, u"spend"_s}, {u"days"_s, 365}});
    p.insert(u"tiers"_s, QJsonArray{QJsonObject{{u"id"_s, u"silver"_s}, {u"name"_s, u"Silver"_s}, {u"threshold"_s, 0}, {u"multiplier"_s, 1}},
                                    QJsonObject{{u"id"_s, u"gold"_s}, {u"name"_s, u"Gold"_s}, {u"threshold"_s, 2000000}, {u"multiplier"_s, 1}}});
    return test::toJson(p);
}

// The hub, in this process, on a thread of its own (so, on this 2-core machine, mostly on the
// other core than the terminal's), as it runs on a machine of its own in production.
// SETIA_BENCH_HUB_SAME_THREAD=1 keeps it on the terminal's thread instead, as the benchmark ran
// until round 7 (docs/performance.md), to compare.
struct Hub {
    std::unique_ptr<hub::HubStore> store; // made, used and destroyed on the hub's thread (onHub)
    std::unique_ptr<hub::HubServer> server;
    quint16 port = 0;
    QThread thread;
    QObject *context = nullptr; // lives on thread; null: the hub is on the caller's thread

    explicit Hub(const QString &database)
    {
        if (qEnvironmentVariableIntValue("SETIA_BENCH_HUB_SAME_THREAD") == 0) {
            thread.setObjectName(u"hub"_s);
            thread.start();
            context = new QObject;
            context->moveToThread(&thread);
        }
        onHub([&] {
            hub::HubConfig c;
            c.postgres = true;
            c.database = connInfo(database);
            c.keyPath = g_dir->filePath(database + u".hub.key"_s);
            auto s = hub::HubStore::open(c);
            if (!s)
                die(u"hub: "_s + s.error().message);
            store = std::move(s).value();
            if (auto v = store->publishProgram(program(), u"bench"_s); !v)
                die(u"publish the program: "_s + v.error().message);
            server = std::make_unique<hub::HubServer>(*store, QByteArrayLiteral("bench-operator"));
            port = server->listen(QHostAddress::LocalHost, 0);
            if (port == 0)
                die(u"hub listen: "_s + server->error());
        });
    }
    ~Hub()
    {
        onHub([&] {
            server.reset(); // before the store it serves
            store.reset();
        });
        if (context) {
            QMetaObject::invokeMethod(context, [c = context] { delete c; }, Qt::BlockingQueuedConnection);
            thread.quit();
            thread.wait();
        }
    }
    // Runs f on the hub's thread and waits for it.
    void onHub(const std::function<void()> &f)
    {
        if (context)
            QMetaObject::invokeMethod(context, f, Qt::BlockingQueuedConnection);
        else
            f();
    }
};

// A terminal: a store of its own under the chain's key ring.
struct Terminal {
    std::unique_ptr<Store> store;
    std::unique_ptr<Loyalty> loyalty;
    std::unique_ptr<sync::SyncClient> client;
    ManualClock clock;
    SeededRandom random;
    QString path;

    Terminal(const QString &name, const QString &storeId, qint64 startMs, quint64 seed, bool withProgram)
        : clock(startMs), random(seed), path(g_dir->filePath(name + u".db"_s))
    {
        auto s = Store::open(path, {Store::Mode::ReadWrite, true});
        if (!s)
            die(s.error().message);
        store = std::move(s).value();
        auto keys = KeyRing::open(chainKeyPath(), true);
        if (!keys)
            die(keys.error().message);
        loyalty = std::make_unique<Loyalty>(*store, std::move(keys).value(), clock, random);
        if (auto st = loyalty->initialize(storeId, storeId, u"Asia/Jakarta"_s, u"IDR"_s); !st)
            die(st.error().message);
        if (withProgram)
            if (auto v = loyalty->loadProgram(program(), u"bench"_s); !v)
                die(v.error().message);
    }

    // Registers with the hub through the real client (default ClientConfig but the URL and key).
    void attach(Hub &hub, const QString &storeId)
    {
        sync::ClientConfig c;
        c.hubUrl = QUrl(u"http://127.0.0.1:%1"_s.arg(hub.port));
        c.keyPath = path + u".sync.key"_s;
        c.intervalMs = 3'600'000; // one sync, by hand
        c.timeoutMs = 600'000;
        // SETIA_BENCH_FIRST_PULL_MEMBERS: another ClientConfig::firstPullMembers, to compare.
        if (const int n = qEnvironmentVariableIntValue("SETIA_BENCH_FIRST_PULL_MEMBERS"); n > 0)
            c.firstPullMembers = n;
        // SETIA_BENCH_BATCH: another ClientConfig::batchSize (events per push), to compare.
        if (const int n = qEnvironmentVariableIntValue("SETIA_BENCH_BATCH"); n > 0)
            c.batchSize = n;
        client = std::make_unique<sync::SyncClient>(*loyalty, c);
        Result<QString> token = QString();
        hub.onHub([&] { token = hub.store->createEnrollmentToken(storeId, u"till"_s); });
        if (!token)
            die(token.error().message);
        bool done = false, ok = false;
        QString error;
        client->registerTerminal(token.value(), u"till"_s, [&](bool o, const QString &e) {
            done = true;
            ok = o;
            error = e;
        });
        QEventLoop loop;
        QTimer poll;
        QObject::connect(&poll, &QTimer::timeout, &loop, [&] {
            if (done)
                loop.quit();
        });
        poll.start(1);
        QTimer::singleShot(30000, &loop, &QEventLoop::quit);
        loop.exec();
        if (!ok)
            die(u"registration: "_s + (done ? error : u"no answer"_s));
    }

    struct SyncTimes {
        bool ok = false;
        double pushSeconds = 0, syncSeconds = 0;
        QString error;
    };
    // One whole sync; pushSeconds is when the outbox was first seen empty (polled every ms).
    SyncTimes sync(qint64 timeoutMs)
    {
        SyncTimes r;
        QEventLoop loop;
        QElapsedTimer t;
        bool finished = false;
        QObject::connect(client.get(), &sync::SyncClient::finished, &loop, [&](bool ok) {
            r.syncSeconds = double(t.nsecsElapsed()) / 1e9;
            r.ok = ok;
            finished = true;
            loop.quit();
        });
        QTimer poll;
        QObject::connect(&poll, &QTimer::timeout, &loop, [&] {
            if (client->status().waiting == 0) {
                r.pushSeconds = double(t.nsecsElapsed()) / 1e9;
                poll.stop();
            }
        });
        QTimer timeout;
        timeout.setSingleShot(true);
        QObject::connect(&timeout, &QTimer::timeout, &loop, &QEventLoop::quit);
        t.start();
        if (!client->syncNow()) {
            r.error = u"a sync is already running"_s;
            return r;
        }
        poll.start(1);
        timeout.start(int(timeoutMs));
        loop.exec();
        client->stop();
        if (!finished)
            r.error = u"no end within %1 s"_s.arg(timeoutMs / 1000);
        else if (!r.ok)
            r.error = client->status().lastError;
        if (r.pushSeconds == 0)
            r.pushSeconds = r.syncSeconds;
        return r;
    }
};

// ---- (A) push 100,000 events, against COPY of the same rows ----

void PushVsCopy(benchmark::State &state)
{
    const qint64 target = qMax<qint64>(1000, qint64(100'000 * g_scale));
    const int members = int(qMax<qint64>(20, target / 20));
    constexpr qint64 kSpanMs = 200 * 86'400'000LL;
    const qint64 step = kSpanMs / target;
    for (auto _ : state) {
        // The terminal's backlog, a store's 200 days: members enrolled here (enroll + card),
        // then earnings spread at random over them (18 each on average), the terminal's clock
        // moving evenly over the 200 days (all inside the program's 365-day tier window).
        QElapsedTimer made;
        made.start();
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        Terminal a(u"push-terminal"_s, u"store-a"_s, now - kSpanMs - 86'400'000LL, 101, true);
        if (!QSqlQuery(a.store->writer()).exec(u"PRAGMA synchronous=OFF"_s)) // generation only
            die(u"PRAGMA synchronous=OFF"_s);
        QStringList ids;
        for (int i = 0; i < members; ++i) {
            EnrollRequest r;
            r.name = u"Anggota %1"_s.arg(i);
            r.phone = u"+62811%1"_s.arg(i, 8, 10, QLatin1Char('0'));
            r.cardNumber = makeMemberCardNumber(3, quint64(i + 1));
            r.actor = u"bench"_s;
            auto m = a.loyalty->enroll(r);
            if (!m)
                die(u"enroll: "_s + m.error().message);
            ids << m->memberId;
            a.clock.advance(2 * step);
        }
        // Earnings for the rest (an earn that moves a member's tier adds a tier change event).
        SeededRandom pick(7);
        for (qint64 i = a.loyalty->unsyncedCount(); i < target; ++i) {
            Basket b;
            b.receiptId = u"P-%1"_s.arg(i);
            b.total = 10'000 + qint64(pick.below(50)) * 10'000;
            b.paymentMethod = u"cash"_s;
            if (auto e = a.loyalty->earn(ids.at(int(pick.below(quint64(ids.size())))), b, u"bench"_s); !e)
                die(u"earn: "_s + e.error().message);
            a.clock.advance(step);
        }
        const qint64 events = a.loyalty->unsyncedCount();
        if (!QSqlQuery(a.store->writer()).exec(u"PRAGMA synchronous=FULL"_s)) // as the terminal runs
            die(u"PRAGMA synchronous=FULL"_s);
        note(u"PushVsCopy: %1 events of %2 members written in %3 s"_s.arg(events).arg(members).arg(double(made.elapsed()) / 1000.0));

        const QString database = newDatabase();
        Hub hub(database);
        a.attach(hub, u"store-a"_s);
        const double cpu0 = processCpuSeconds(), pg0 = backendCpuSeconds(database);
        const Terminal::SyncTimes t = a.sync(kPushTimeoutMs);
        const double cpu = processCpuSeconds() - cpu0, pgCpu = backendCpuSeconds(database) - pg0;
        if (!t.ok) {
            state.SkipWithError(qPrintable(u"push: "_s + t.error));
            break;
        }
        if (a.loyalty->unsyncedCount() != 0) {
            state.SkipWithError("push: events left in the outbox");
            break;
        }

        // The same rows, as the hub stored them, into a fresh copy of its events table.
        const QString csv = g_dir->filePath(u"events.csv"_s);
        const QString tid = a.loyalty->terminalId();
        psql(database, {u"\\copy (SELECT * FROM events WHERE terminal_id = '%1' ORDER BY server_seq) TO '%2' CSV"_s.arg(tid, csv),
                        u"CREATE TABLE events_copy (LIKE events INCLUDING ALL)"_s, u"CHECKPOINT"_s});
        QElapsedTimer c;
        c.start();
        const QByteArray out = psql(database, {u"\\timing on"_s, u"\\copy events_copy FROM '%1' CSV"_s.arg(csv)});
        const double copyWall = double(c.nsecsElapsed()) / 1e9;
        // psql's own timing of the COPY (without starting psql and connecting), when it prints one.
        double copySeconds = copyWall;
        const auto m = QRegularExpression(u"Time: ([0-9.]+) ms"_s).match(QString::fromUtf8(out));
        if (m.hasMatch())
            copySeconds = m.captured(1).toDouble() / 1000.0;
        const QByteArray count = psql(database, {u"SELECT COUNT(*) FROM events_copy"_s}).trimmed();
        if (!count.contains(QByteArray::number(events))) {
            state.SkipWithError(qPrintable(u"COPY stored "_s + QString::fromUtf8(count)));
            break;
        }
        state.SetIterationTime(t.pushSeconds);
        state.counters["events"] = double(events);
        state.counters["push_s"] = t.pushSeconds;
        state.counters["sync_s"] = t.syncSeconds;
        state.counters["sync_cpu_s"] = cpu;       // this process: terminal, client, hub
        state.counters["sync_pg_cpu_s"] = pgCpu;  // the hub's PostgreSQL backend
        state.counters["push_events_per_s"] = double(events) / t.pushSeconds;
        state.counters["copy_s"] = copySeconds;
        state.counters["copy_wall_s"] = copyWall;
        state.counters["copy_rows_per_s"] = double(events) / copySeconds;
        state.counters["ratio"] = copySeconds / t.pushSeconds;
        QFile::remove(csv);
    }
}
BENCHMARK(PushVsCopy)->Iterations(1)->UseManualTime()->Unit(benchmark::kSecond);

// What one push batch costs outside the database: the wire format both ends handle for the
// client's batch of 500 (encode, decode, the answer both ways), per event. Explains the floor
// under push_events_per_s (docs/performance.md "Sync").
// A terminal's batch of 500: an enrollment and its earnings, as the outbox gives them.
QList<LedgerEvent> codecBatch(const QString &name)
{
    Terminal a(name, u"store-c"_s, QDateTime::currentMSecsSinceEpoch() - 86'400'000LL, 303, true);
    QSqlQuery(a.store->writer()).exec(u"PRAGMA synchronous=OFF"_s);
    const QString m = [&] {
        EnrollRequest r;
        r.name = u"Anggota"_s;
        r.phone = u"+6281100000001"_s;
        r.actor = u"bench"_s;
        return a.loyalty->enroll(r)->memberId;
    }();
    for (int i = 0; i < 500; ++i) {
        Basket b;
        b.receiptId = u"C-%1"_s.arg(i);
        b.total = 50'000;
        b.paymentMethod = u"cash"_s;
        if (!a.loyalty->earn(m, b, u"bench"_s))
            die(u"earn"_s);
    }
    auto events = a.loyalty->unsyncedEvents(500);
    if (!events)
        die(events.error().message);
    return events.value();
}

void PushCodec(benchmark::State &state)
{
    static int run = 0; // the library calls this once per trial iteration count
    const QList<LedgerEvent> events = codecBatch(u"codec-terminal-%1"_s.arg(++run));
    const QString terminalId = events.first().terminalId;
    QList<sync::EventResult> answers;
    for (const LedgerEvent &e : events)
        answers.append({e.eventId, u"accepted"_s, {}, 1'000'000 + e.terminalSeq});
    qint64 bytes = 0;
    for (auto _ : state) {
        const QByteArray body = sync::encodePush({terminalId, events, {}});
        auto decoded = sync::decodePush(body);
        const QByteArray answer = sync::encodePushResponse(answers);
        auto results = sync::decodePushResponse(answer);
        benchmark::DoNotOptimize(decoded->events.size() + results->size());
        bytes = body.size();
    }
    state.SetItemsProcessed(state.iterations() * events.size());
    state.counters["time_per_event"] = benchmark::Counter(double(events.size()), benchmark::Counter::kIsIterationInvariantRate
                                                                                  | benchmark::Counter::kInvert);
    state.counters["bytes_per_event"] = double(bytes) / double(events.size());
}
BENCHMARK(PushCodec)->Unit(benchmark::kMillisecond);

// The hub's half of it alone: decoding a batch of 500 (decodePush), per event.
void PushDecode(benchmark::State &state)
{
    static int run = 0;
    const QList<LedgerEvent> events = codecBatch(u"decode-terminal-%1"_s.arg(++run));
    const QByteArray body = sync::encodePush({events.first().terminalId, events, {}});
    for (auto _ : state) {
        auto decoded = sync::decodePush(body);
        if (!decoded || decoded->events.size() != events.size())
            die(u"decodePush"_s);
        benchmark::DoNotOptimize(decoded->events.size());
    }
    state.SetItemsProcessed(state.iterations() * events.size());
    state.counters["time_per_event"] = benchmark::Counter(double(events.size()), benchmark::Counter::kIsIterationInvariantRate
                                                                                  | benchmark::Counter::kInvert);
}
BENCHMARK(PushDecode)->Unit(benchmark::kMillisecond);

// ---- (B) the first pull of a 1,000,000-member chain ----

// A CSV field, quoted.
QByteArray csvField(const QByteArray &s)
{
    QByteArray out = s;
    out.replace('"', "\"\"");
    return '"' + out + '"';
}

void InitialFeedPull(benchmark::State &state)
{
    const qint64 count = qMax<qint64>(1000, qint64(1'000'000 * g_scale));
    for (auto _ : state) {
        const QString database = newDatabase();
        Hub hub(database);
        // The chain's members, as the hub would have them after their enrollments elsewhere:
        // members and cards rows, and one feed row each with the body flush() writes.
        QElapsedTimer made;
        made.start();
        auto keys = KeyRing::open(chainKeyPath(), true);
        if (!keys)
            die(keys.error().message);
        const QString membersCsv = g_dir->filePath(u"members.csv"_s), cardsCsv = g_dir->filePath(u"cards.csv"_s),
                      feedCsv = g_dir->filePath(u"feed.csv"_s);
        QFile mf(membersCsv), cf(cardsCsv), ff(feedCsv);
        if (!mf.open(QIODevice::WriteOnly) || !cf.open(QIODevice::WriteOnly) || !ff.open(QIODevice::WriteOnly))
            die(u"cannot write the CSV files"_s);
        // After the program's own feed row.
        qint64 seq = psql(database, {u"SELECT value FROM hub_counter WHERE id = 1"_s}).trimmed().toLongLong();
        const qint64 enrolledFrom = QDateTime::currentMSecsSinceEpoch() - 300LL * 86'400'000LL;
        SeededRandom rng(11);
        for (qint64 i = 0; i < count; ++i) {
            const qint64 at = enrolledFrom + i * 20;
            const QString id = uuidv7(at, rng);
            const QString phone = u"+62812%1"_s.arg(i, 8, 10, QLatin1Char('0'));
            const QString phoneIndex = keys->blindIndex(u"phone"_s, phone);
            const QByteArray key = keys->newMemberKey();
            const QJsonObject profile{{u"name"_s, u"Anggota %1"_s.arg(i)}, {u"phone"_s, phone}, {u"email"_s, QString()},
                                      {u"birthDate"_s, u"1990-05-17"_s}};
            const QString sealed = QString::fromLatin1(
                aesGcmEncrypt(key, QJsonDocument(profile).toJson(QJsonDocument::Compact), "profile:" + id.toUtf8()).toBase64());
            const QString wrapped = QString::fromLatin1(keys->wrapMemberKey(id, key).toBase64());
            const QString card = makeMemberCardNumber(5, quint64(i + 1));
            const qint64 balance = qint64(rng.below(2000));
            const QString tier = balance > 1000 ? u"gold"_s : u"silver"_s;
            const QString home = u"store-%1"_s.arg(i % 40);
            ++seq;
            const QJsonObject body{{u"memberId"_s, id},
                                   {u"status"_s, u"active"_s},
                                   {u"homeStore"_s, home},
                                   {u"tierId"_s, tier},
                                   {u"balance"_s, QString::number(balance)},
                                   {u"asOf"_s, QString::number(seq)},
                                   {u"enrolledAt"_s, QString::number(at)},
                                   {u"phoneIndex"_s, phoneIndex},
                                   {u"profile"_s, sealed},
                                   {u"wrappedKey"_s, wrapped},
                                   {u"cards"_s, QJsonArray{QJsonObject{{u"number"_s, card}, {u"kind"_s, u"barcode"_s}, {u"status"_s, u"active"_s}}}},
                                   {u"vouchers"_s, QJsonArray{}}};
            mf.write(id.toLatin1() + ",active," + home.toLatin1() + ',' + tier.toLatin1() + ',' + phoneIndex.toLatin1() + ','
                     + sealed.toLatin1() + ',' + wrapped.toLatin1() + ",," + QByteArray::number(balance) + ','
                     + QByteArray::number(at) + '\n');
            cf.write(card.toLatin1() + ',' + id.toLatin1() + ",barcode,active\n");
            ff.write(QByteArray::number(seq) + ",member," + id.toLatin1() + ',' + csvField(QJsonDocument(body).toJson(QJsonDocument::Compact)) + '\n');
        }
        mf.close();
        cf.close();
        ff.close();
        psql(database, {u"\\copy members(member_id, status, home_store, tier_id, phone_index, profile, wrapped_key, merged_into,"
                        " balance, enrolled_at) FROM '%1' CSV"_s.arg(membersCsv),
                        u"\\copy cards(card_number, member_id, kind, status) FROM '%1' CSV"_s.arg(cardsCsv),
                        u"\\copy feed(seq, kind, item_key, body) FROM '%1' CSV"_s.arg(feedCsv),
                        u"UPDATE hub_counter SET value = %1 WHERE id = 1"_s.arg(seq), u"VACUUM ANALYZE"_s, u"CHECKPOINT"_s});
        for (const QString &f : {membersCsv, cardsCsv, feedCsv})
            QFile::remove(f);
        note(u"InitialFeedPull: a hub of %1 members written in %2 s"_s.arg(count).arg(double(made.elapsed()) / 1000.0));

        Terminal fresh(u"pull-terminal"_s, u"store-new"_s, QDateTime::currentMSecsSinceEpoch(), 202, false);
        fresh.attach(hub, u"store-new"_s);
        const Terminal::SyncTimes t = fresh.sync(kPullTimeoutMs);
        if (!t.ok) {
            state.SkipWithError(qPrintable(u"pull: "_s + t.error));
            break;
        }
        // The new terminal knows every member, by card, with the hub's balance and the name.
        qint64 local = 0;
        {
            QSqlQuery q(fresh.store->writer());
            if (q.exec(u"SELECT COUNT(*) FROM members"_s) && q.next())
                local = q.value(0).toLongLong();
        }
        auto probe = fresh.loyalty->memberByCard(makeMemberCardNumber(5, quint64(count / 2 + 1)));
        if (local != count || !probe || probe->profile.name != u"Anggota %1"_s.arg(count / 2)) {
            state.SkipWithError(qPrintable(u"pull: the terminal has %1 of %2 members%3"_s.arg(local).arg(count).arg(
                probe ? u", probe "_s + probe->profile.name : u", probe failed"_s)));
            break;
        }
        state.SetIterationTime(t.syncSeconds);
        state.counters["members"] = double(count);
        state.counters["pull_s"] = t.syncSeconds;
        state.counters["members_per_s"] = double(count) / t.syncSeconds;
        state.counters["terminal_db_MiB"] = double(QFileInfo(fresh.path).size()) / (1024.0 * 1024.0);
    }
}
BENCHMARK(InitialFeedPull)->Iterations(1)->UseManualTime()->Unit(benchmark::kSecond);

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    if (const QByteArray s = qgetenv("SETIA_BENCH_SCALE"); !s.isEmpty()) {
        bool ok = false;
        g_scale = s.toDouble(&ok);
        if (!ok || g_scale <= 0 || g_scale > 10) {
            std::fprintf(stderr, "SETIA_BENCH_SCALE must be a number in (0, 10]\n");
            return 2;
        }
    }
    QTemporaryDir dir;
    if (!dir.isValid())
        die(u"no temporary folder"_s);
    g_dir = &dir;
    if (!KeyRing::open(chainKeyPath(), true))
        die(u"cannot create the chain's key ring"_s);
    int n = argc;
    benchmark::Initialize(&n, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    delete g_pg;
    return 0;
}
