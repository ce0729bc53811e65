#pragma once
// What the sync integration tests share: the test program, bounded waiting, and one real
// setia-hub process (SQLite, or a PostgreSQL connection string) driven by its operator API.
#include "testsupport.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <csignal>
#include <functional>
#include <memory>
#include <sys/prctl.h>

namespace synctest {

using namespace Qt::StringLiterals;
using namespace setia;

inline QByteArray syncProgram()
{
    QJsonObject p = test::baseProgram();
    p.insert(u"effectiveFrom"_s, u"2024-01-01T00:00:00+07:00"_s); // a terminal a year behind has it too
    p.insert(u"tierWindow"_s, QJsonObject{{u"basis"_s, u"spend"_s}, {u"days"_s, 365}});
    p.insert(u"tiers"_s, QJsonArray{QJsonObject{{u"id"_s, u"silver"_s}, {u"name"_s, u"Silver"_s}, {u"threshold"_s, 0}, {u"multiplier"_s, 1}},
                                    QJsonObject{{u"id"_s, u"gold"_s}, {u"name"_s, u"Gold"_s}, {u"threshold"_s, 2000000}, {u"multiplier"_s, 1}}});
    p.insert(u"vouchers"_s, QJsonArray{QJsonObject{{u"id"_s, u"disc-10k"_s}, {u"name"_s, u"Potongan Rp10.000"_s}, {u"discount"_s, 10000},
                                                   {u"minSpend"_s, 50000}, {u"validDays"_s, 30}}});
    p.insert(u"rewards"_s, QJsonArray{QJsonObject{{u"id"_s, u"kopi"_s}, {u"name"_s, u"Es Kopi"_s}, {u"cost"_s, 50}}});
    p.insert(u"pointsAsPayment"_s, QJsonObject{{u"valuePerPoint"_s, 100}, {u"minPoints"_s, 1}});
    return test::toJson(p);
}

inline bool waitFor(const std::function<bool()> &done, int ms)
{
    QElapsedTimer t;
    t.start();
    while (!done()) {
        if (t.elapsed() > ms)
            return false;
        QTest::qWait(10);
    }
    return true;
}

// One setia-hub process.
class Hub {
public:
    Hub(QString postgres, QStringList extra) : m_postgres(std::move(postgres)), m_extra(std::move(extra)) {}
    ~Hub() { kill(); }

    bool start(QString *error)
    {
        QFile::remove(m_dir.filePath(u"port"_s));
        QStringList args;
        if (m_postgres.isEmpty())
            args << u"--db"_s << m_dir.filePath(u"hub.db"_s);
        else
            args << u"--postgres"_s << m_postgres;
        args << u"--key"_s << m_dir.filePath(u"hub.key"_s) << u"--operator-token-file"_s << m_dir.filePath(u"op.token"_s)
             << u"--listen"_s << u"127.0.0.1:%1"_s.arg(m_port) << u"--port-file"_s << m_dir.filePath(u"port"_s) << m_extra;
        m_proc = std::make_unique<QProcess>();
        m_proc->setProcessChannelMode(QProcess::ForwardedErrorChannel);
        // The hub dies with the test, even when the test is killed (it holds CTest's pipe).
        m_proc->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
        m_proc->start(QStringLiteral(SETIA_HUB_BIN), args);
        if (!m_proc->waitForStarted(10000)) {
            *error = u"setia-hub did not start: "_s + m_proc->errorString();
            return false;
        }
        if (!waitFor([&] { return QFile::exists(m_dir.filePath(u"port"_s)) || m_proc->state() != QProcess::Running; }, 30000)
            || m_proc->state() != QProcess::Running) {
            *error = u"setia-hub did not come up"_s;
            return false;
        }
        QFile pf(m_dir.filePath(u"port"_s));
        if (!pf.open(QIODevice::ReadOnly)) {
            *error = u"no port file"_s;
            return false;
        }
        m_port = quint16(pf.readAll().trimmed().toUInt());
        QFile tf(m_dir.filePath(u"op.token"_s));
        if (!tf.open(QIODevice::ReadOnly))
            return false;
        m_token = tf.readAll().trimmed();
        return m_port != 0;
    }
    void kill()
    {
        if (m_proc && m_proc->state() != QProcess::NotRunning) {
            ::kill(pid_t(m_proc->processId()), SIGKILL);
            m_proc->waitForFinished(10000);
        }
    }
    quint16 port() const { return m_port; }
    QString dir() const { return m_dir.path(); }

    // An operator request; the JSON answer (status in *status).
    QJsonDocument admin(const QByteArray &method, const QString &path, const QByteArray &body = {}, int *status = nullptr)
    {
        QNetworkRequest req(QUrl(u"http://127.0.0.1:%1%2"_s.arg(m_port).arg(path)));
        req.setRawHeader("Authorization", "Bearer " + m_token);
        req.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
        QNetworkReply *r = method == "GET" ? m_net.get(req) : m_net.post(req, body);
        QEventLoop loop;
        QObject::connect(r, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        QTimer::singleShot(30000, &loop, &QEventLoop::quit);
        loop.exec();
        if (status)
            *status = r->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QJsonDocument d = QJsonDocument::fromJson(r->readAll());
        r->deleteLater();
        return d;
    }
    QString token(const QString &storeId)
    {
        return admin("POST", u"/v1/admin/tokens"_s, test::toJson(QJsonObject{{u"storeId"_s, storeId}, {u"name"_s, u"till"_s}}))
            .object()
            .value(u"token"_s)
            .toString();
    }
    QJsonArray allEvents()
    {
        QJsonArray all;
        qint64 after = 0;
        for (int page = 0; page < 1000; ++page) {
            const QJsonArray a = admin("GET", u"/v1/admin/events?after=%1&limit=10000"_s.arg(after)).array();
            for (const QJsonValue &v : a)
                all.append(v);
            if (a.size() < 10000)
                break;
            after = a.last().toObject().value(u"serverSeq"_s).toString().toLongLong();
        }
        return all;
    }
    QJsonObject member(const QString &id) { return admin("GET", u"/v1/admin/members?memberId="_s + id).object(); }
    QJsonArray alerts() { return admin("GET", u"/v1/admin/alerts"_s).array(); }

private:
    QTemporaryDir m_dir;
    QString m_postgres;
    QStringList m_extra;
    std::unique_ptr<QProcess> m_proc;
    quint16 m_port = 0;
    QByteArray m_token;
    QNetworkAccessManager m_net;
};

} // namespace synctest
