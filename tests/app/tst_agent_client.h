#pragma once
// What tst_agent and tst_agent_load share: the real setia-agent started on a free loopback port
// (--port 0, the port read from its stdout), and a POS-like HTTP client. Every wait is bounded.
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QTimer>
#include <QUrl>

#include <memory>

namespace agenttest {

using namespace Qt::StringLiterals;

struct Answer {
    int status = 0;     // 0: no answer within the time
    QByteArray body;
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
    QString code() const { return json().value(u"error"_s).toObject().value(u"code"_s).toString(); }
    QString message() const { return json().value(u"error"_s).toObject().value(u"message"_s).toString(); }
    QString field() const { return json().value(u"error"_s).toObject().value(u"field"_s).toString(); }
};

class Agent {
public:
    ~Agent() { stop(); }

    // Starts setia-agent with args (plus --port 0) and waits (at most timeoutMs) for its port.
    bool start(const QStringList &args, QString *error, int timeoutMs = 20000)
    {
        m_process = std::make_unique<QProcess>();
        m_process->setProgram(QString::fromUtf8(SETIA_AGENT));
        m_process->setArguments(args + QStringList{u"--port"_s, u"0"_s});
        m_process->setProcessChannelMode(QProcess::SeparateChannels);
        m_process->start();
        if (!m_process->waitForStarted(5000)) {
            *error = m_process->errorString();
            return false;
        }
        QElapsedTimer t;
        t.start();
        static const QRegularExpression re(u"listening on http://127\\.0\\.0\\.1:(\\d+)"_s);
        while (t.elapsed() < timeoutMs && m_process->state() == QProcess::Running) {
            m_process->waitForReadyRead(100);
            m_out += m_process->readAllStandardOutput();
            const auto m = re.match(QString::fromUtf8(m_out));
            if (m.hasMatch()) {
                m_port = m.captured(1).toUShort();
                return true;
            }
        }
        *error = u"setia-agent did not start: "_s + QString::fromUtf8(m_out + m_process->readAllStandardError());
        return false;
    }

    // SIGTERM, then (bounded) wait; returns the exit code (-1 when it had to be killed).
    int stop()
    {
        if (!m_process)
            return -1;
        int rc = -1;
        if (m_process->state() != QProcess::NotRunning) {
            m_process->terminate();
            if (!m_process->waitForFinished(15000)) {
                m_process->kill();
                m_process->waitForFinished(5000);
            } else {
                rc = m_process->exitStatus() == QProcess::NormalExit ? m_process->exitCode() : -1;
            }
        } else {
            rc = m_process->exitStatus() == QProcess::NormalExit ? m_process->exitCode() : -1;
        }
        m_err += m_process->readAllStandardError();
        m_process.reset();
        return rc;
    }

    quint16 port() const { return m_port; }
    QByteArray stderrText() { return m_process ? m_err + m_process->readAllStandardError() : m_err; }
    QUrl url(const QString &path) const { return QUrl(u"http://127.0.0.1:%1%2"_s.arg(m_port).arg(path)); }

private:
    std::unique_ptr<QProcess> m_process;
    QByteArray m_out, m_err;
    quint16 m_port = 0;
};

class Client {
public:
    explicit Client(const Agent &agent, QByteArray token) : m_agent(agent), m_token(std::move(token)) {}

    QNetworkRequest request(const QString &path, const QByteArray &lang = {}, bool withToken = true) const
    {
        QNetworkRequest r(m_agent.url(path));
        if (withToken)
            r.setRawHeader("Authorization", "Bearer " + m_token);
        if (!lang.isEmpty())
            r.setRawHeader("Accept-Language", lang);
        r.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        r.setTransferTimeout(30000);
        return r;
    }

    Answer wait(QNetworkReply *reply, int timeoutMs = 30000)
    {
        QEventLoop loop;
        QTimer timer;
        timer.setSingleShot(true);
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        QObject::connect(&timer, &QTimer::timeout, &loop, &QEventLoop::quit);
        timer.start(timeoutMs);
        if (!reply->isFinished())
            loop.exec();
        Answer a;
        if (reply->isFinished()) {
            a.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            a.body = reply->readAll();
        } else {
            reply->abort();
        }
        reply->deleteLater();
        return a;
    }

    Answer get(const QString &path, const QByteArray &lang = {}, bool withToken = true)
    {
        return wait(m_nam.get(request(path, lang, withToken)));
    }
    Answer post(const QString &path, const QJsonObject &body, const QByteArray &lang = {}, bool withToken = true)
    {
        return wait(m_nam.post(request(path, lang, withToken), QJsonDocument(body).toJson(QJsonDocument::Compact)));
    }
    // A POST with extra headers (Idempotency-Key: ...).
    Answer postWith(const QString &path, const QJsonObject &body, const QList<std::pair<QByteArray, QByteArray>> &headers,
                    const QByteArray &lang = {})
    {
        QNetworkRequest r = request(path, lang);
        for (const auto &[name, value] : headers)
            r.setRawHeader(name, value);
        return wait(m_nam.post(r, QJsonDocument(body).toJson(QJsonDocument::Compact)));
    }
    Answer postRaw(const QString &path, const QByteArray &body, const QByteArray &contentType = "application/json")
    {
        QNetworkRequest r = request(path);
        r.setHeader(QNetworkRequest::ContentTypeHeader, contentType);
        return wait(m_nam.post(r, body));
    }
    QNetworkAccessManager &nam() { return m_nam; }

private:
    const Agent &m_agent;
    QByteArray m_token;
    QNetworkAccessManager m_nam;
};

// One raw HTTP/1.1 exchange (Connection: close): for headers a client library would not send.
inline Answer raw(quint16 port, const QByteArray &request, int timeoutMs = 10000)
{
    QTcpSocket s;
    s.connectToHost(u"127.0.0.1"_s, port);
    Answer a;
    if (!s.waitForConnected(timeoutMs))
        return a;
    s.write(request);
    QByteArray in;
    QElapsedTimer t;
    t.start();
    // Until the whole answer (Content-Length) is in, the server closes, or the time is up.
    auto complete = [&in] {
        const qsizetype end = in.indexOf("\r\n\r\n");
        if (end < 0)
            return false;
        static const QRegularExpression re(u"\r\ncontent-length: *(\\d+)"_s, QRegularExpression::CaseInsensitiveOption);
        const auto m = re.match(QString::fromLatin1(in.left(end + 2)));
        return m.hasMatch() && in.size() >= end + 4 + m.captured(1).toLongLong();
    };
    while (s.state() == QAbstractSocket::ConnectedState && t.elapsed() < timeoutMs && !complete()) {
        if (s.bytesToWrite() > 0)
            s.waitForBytesWritten(100);
        else
            s.waitForReadyRead(100);
        in += s.readAll();
    }
    in += s.readAll();
    const qsizetype end = in.indexOf("\r\n\r\n");
    if (in.startsWith("HTTP/1.1 ") && end > 0) {
        a.status = in.mid(9, 3).toInt();
        a.body = in.mid(end + 4);
    }
    return a;
}

} // namespace agenttest
