#pragma once
// What the USB driver tests under umockdev share (tst_usbscanner.cpp, tst_usbprinter.cpp).
//
// Such a test re-runs itself inside umockdev ("inner" runs): the inner run prints what happens,
// one line per event (say()), and the outer test runs it (runTranscript()) and checks the lines
// it printed (Transcript). With libumockdev (SETIA_HAVE_LIBUMOCKDEV) an inner run started by
// umockdev-wrapper builds its testbed itself (Testbed) and may drop the capabilities that let
// root ignore file permissions (dropFileCapabilities()). umockdevToolsMissing() says why such a
// test must exit 77 (skipped) on this machine.
#include <libusb.h>

#include <QByteArray>
#include <QCoreApplication>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QString>
#include <QStringList>
#include <QTest>

#include <algorithm>
#include <cstdio>
#include <optional>

#ifdef SETIA_HAVE_LIBUMOCKDEV
#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <umockdev.h>
#endif

namespace setia::test {

// An inner run's line for the outer test: written at once (the outer test may kill a hung run).
inline void say(const QString &line)
{
    std::fputs(qPrintable(line + u'\n'), stdout);
    std::fflush(stdout);
}

// An inner run that waited in vain: says what for, exit code 3.
inline int timedOut(const QString &what)
{
    say(QStringLiteral("TIMEOUT ") + what);
    return 3;
}

// What an inner run printed, and how it ended.
struct Transcript {
    int exitCode = -1;
    QStringList lines;
    QString text;
    // The lines starting with `tag` and a space, without them.
    QStringList tagged(const QString &tag) const
    {
        QStringList out;
        for (const QString &l : lines)
            if (l.startsWith(tag + u' '))
                out << l.mid(tag.size() + 1);
        return out;
    }
    // The states in the order they were reported ("STATUS vid:pid port state detail"), for one vid:pid.
    QStringList states(const QString &vidPid) const
    {
        QStringList out;
        for (const QString &s : tagged(QStringLiteral("STATUS")))
            if (s.section(u' ', 0, 0) == vidPid)
                out << s.section(u' ', 2, 2);
        return out;
    }
};

// Runs `program` with `args` (stdout and stderr together), killed after `timeoutMs`.
inline Transcript runTranscript(const QString &program, const QStringList &args, int timeoutMs)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(program, args);
    Transcript t;
    if (!p.waitForStarted(10000)) {
        t.text = QStringLiteral("could not start ") + program;
        return t;
    }
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished(5000);
        t.text = QStringLiteral("[killed after %1 ms]\n").arg(timeoutMs);
    }
    t.text += QString::fromUtf8(p.readAll());
    t.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    t.lines = t.text.split(u'\n', Qt::SkipEmptyParts);
    return t;
}

// This test program again, under umockdev-wrapper, as an inner run with `innerArgs`.
inline Transcript runUnderWrapper(const QStringList &innerArgs, int timeoutMs)
{
    return runTranscript(QStringLiteral("umockdev-wrapper"),
                         QStringList{QCoreApplication::applicationFilePath(), QStringLiteral("--inner")} + innerArgs,
                         timeoutMs);
}

// Why a test that needs `tools` (umockdev-run, umockdev-wrapper) and libumockdev cannot run here,
// as the line for stderr before exit 77; nothing when it can.
inline std::optional<QString> umockdevToolsMissing(const QStringList &tools)
{
#ifndef SETIA_HAVE_LIBUMOCKDEV
    Q_UNUSED(tools)
    return QStringLiteral("SKIP: built without libumockdev (install libumockdev-dev and reconfigure)\n");
#else
    for (const QString &tool : tools)
        if (QStandardPaths::findExecutable(tool).isEmpty())
            return QStringLiteral("SKIP: %1 not found (install the umockdev package)\n").arg(tool);
    return std::nullopt;
#endif
}

// The rows of a data-driven test of a manager's state for a libusb error code: columns rc (int)
// and state (its name).
inline void addErrorCodeRows()
{
    QTest::addColumn<int>("rc");
    QTest::addColumn<QString>("state");
    QTest::newRow("access") << int(LIBUSB_ERROR_ACCESS) << QStringLiteral("not-permitted");
    QTest::newRow("busy") << int(LIBUSB_ERROR_BUSY) << QStringLiteral("busy");
    QTest::newRow("no device") << int(LIBUSB_ERROR_NO_DEVICE) << QStringLiteral("missing");
    QTest::newRow("not found") << int(LIBUSB_ERROR_NOT_FOUND) << QStringLiteral("missing");
    QTest::newRow("io") << int(LIBUSB_ERROR_IO) << QStringLiteral("failed");
    QTest::newRow("other") << int(LIBUSB_ERROR_OTHER) << QStringLiteral("failed");
}

// The lines of packaging/udev/70-setia-scanners.rules that start with one of `prefixes`; empty
// when the file cannot be read.
inline QStringList udevRules(const QStringList &prefixes)
{
    QFile f(QStringLiteral(SETIA_SOURCE_DIR) + QStringLiteral("/packaging/udev/70-setia-scanners.rules"));
    QStringList rules;
    if (!f.open(QIODevice::ReadOnly))
        return rules;
    for (const QString &line : QString::fromUtf8(f.readAll()).split(u'\n'))
        if (std::any_of(prefixes.begin(), prefixes.end(), [&](const QString &p) { return line.startsWith(p); }))
            rules << line;
    return rules;
}

// Whether one of `rules` is for the table row vendorId:productId (for every product of the
// vendor when `anyProduct`) and has each of `musts` in it.
inline bool udevRulesCover(const QStringList &rules, quint16 vendorId, quint16 productId, bool anyProduct,
                           const QStringList &musts = {})
{
    const QString vendor = QStringLiteral("ATTR{idVendor}==\"%1\"").arg(vendorId, 4, 16, QLatin1Char('0'));
    const QString product = QStringLiteral("ATTR{idProduct}==\"%1\"").arg(productId, 4, 16, QLatin1Char('0'));
    return std::any_of(rules.begin(), rules.end(), [&](const QString &r) {
        return r.startsWith(vendor) && (anyProduct ? !r.contains(QStringLiteral("idProduct")) : r.contains(product))
               && std::all_of(musts.begin(), musts.end(), [&](const QString &m) { return r.contains(m); });
    });
}

#ifdef SETIA_HAVE_LIBUMOCKDEV
// A testbed built in this process (which umockdev-wrapper started with umockdev's preload).
// What fails says so on an "ERROR umockdev: …" line.
class Testbed {
public:
    Testbed() : m_tb(umockdev_testbed_new()) {}
    ~Testbed() { g_object_unref(m_tb); }
    Testbed(const Testbed &) = delete;
    Testbed &operator=(const Testbed &) = delete;

    bool addFile(const QString &file) { return check(umockdev_testbed_add_from_file(m_tb, qPrintable(file), &m_error)); }
    // The block of the .umockdev file that describes the device at sysfs path `sys` (its parents
    // are still there after an unplug).
    bool addDevice(const QString &file, const QString &sys)
    {
        QFile f(file);
        if (!f.open(QIODevice::ReadOnly))
            return false;
        for (const QString &block : QString::fromUtf8(f.readAll()).split(QStringLiteral("\n\n")))
            if (block.startsWith(QStringLiteral("P: ") + sys.mid(4) + u'\n'))
                return check(umockdev_testbed_add_from_string(m_tb, qPrintable(block + u'\n'), &m_error));
        return false;
    }
    bool loadIoctl(const QString &node, const QString &file)
    {
        return check(umockdev_testbed_load_ioctl(m_tb, qPrintable(node), qPrintable(file), &m_error));
    }
    // `handleIoctl` (a "handle-ioctl" signal handler, called with `data`) answers the usbfs
    // requests on `node`.
    bool attachHandler(const QString &node, GCallback handleIoctl, gpointer data)
    {
        UMockdevIoctlBase *handler = umockdev_ioctl_base_new();
        g_signal_connect(handler, "handle-ioctl", handleIoctl, data);
        const bool ok = check(umockdev_testbed_attach_ioctl(m_tb, qPrintable(node), handler, &m_error));
        g_object_unref(handler);
        return ok;
    }
    bool detachIoctl(const QString &node) { return check(umockdev_testbed_detach_ioctl(m_tb, qPrintable(node), &m_error)); }
    // The same where nothing may be attached any more (not an error).
    void detachIfAttached(const QString &node)
    {
        GError *error = nullptr;
        if (!umockdev_testbed_detach_ioctl(m_tb, qPrintable(node), &error))
            g_clear_error(&error);
    }
    void unplug(const QString &sys)
    {
        umockdev_testbed_uevent(m_tb, qPrintable(sys), "remove");
        umockdev_testbed_remove_device(m_tb, qPrintable(sys));
    }
    void announce(const QString &sys) { umockdev_testbed_uevent(m_tb, qPrintable(sys), "add"); }
    bool chmodNode(const QString &node, int mode)
    {
        gchar *root = umockdev_testbed_get_root_dir(m_tb);
        const QByteArray path = QByteArray(root) + node.toUtf8();
        g_free(root);
        return ::chmod(path.constData(), mode_t(mode)) == 0;
    }

private:
    bool check(gboolean ok)
    {
        if (!ok && m_error) {
            say(QStringLiteral("ERROR umockdev: ") + QString::fromUtf8(m_error->message));
            g_clear_error(&m_error);
        }
        return ok;
    }
    UMockdevTestbed *m_tb;
    GError *m_error = nullptr;
};

// Root ignores file permissions; without these two capabilities it obeys them, as a cashier's
// account does. Capabilities are per thread; threads started later inherit them.
inline bool dropFileCapabilities()
{
    if (::geteuid() != 0)
        return true;
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[2]{};
    if (::syscall(SYS_capget, &header, data) != 0)
        return false;
    data[0].effective &= ~((1u << CAP_DAC_OVERRIDE) | (1u << CAP_DAC_READ_SEARCH));
    return ::syscall(SYS_capset, &header, data) == 0;
}
#endif

} // namespace setia::test
