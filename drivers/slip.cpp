#include "slip.h"

using namespace Qt::StringLiterals;

namespace setia {

namespace {

QString padded(const QString &left, const QString &right, int columns)
{
    if (right.isEmpty())
        return left;
    const int room = columns - int(right.size()) - 1;
    QString l = left;
    if (room < 1)
        return left + u' ' + right;
    if (l.size() > room)
        l = l.left(room);
    return l + QString(columns - int(l.size()) - int(right.size()), u' ') + right;
}

QString centred(const QString &text, int columns)
{
    const int pad = (columns - int(text.size())) / 2;
    return pad > 0 ? QString(pad, u' ') + text : text;
}

} // namespace

QString slipText(const Slip &slip, int columns)
{
    QStringList lines;
    if (!slip.title.isEmpty())
        lines << centred(slip.title, columns);
    for (const QString &h : slip.header)
        lines << centred(h, columns);
    if (!slip.title.isEmpty() || !slip.header.isEmpty())
        lines << QString(columns, u'-');
    for (const Slip::Row &r : slip.rows)
        lines << padded(r.left, r.right, columns);
    if (!slip.footer.isEmpty())
        lines << QString() << centred(slip.footer, columns);
    return lines.join(u'\n');
}

QByteArray slipJob(const Slip &slip, PaperWidth paper)
{
    EscPosJob job(paper);
    using Align = EscPosJob::Align;
    if (!slip.title.isEmpty())
        job.align(Align::Center).bold(true).large(true).line(slip.title).large(false).bold(false);
    job.align(Align::Center);
    for (const QString &h : slip.header)
        job.line(h);
    job.align(Align::Left);
    if (!slip.title.isEmpty() || !slip.header.isEmpty())
        job.rule();
    for (const Slip::Row &r : slip.rows) {
        if (r.bold)
            job.bold(true);
        if (r.right.isEmpty())
            job.line(r.left);
        else
            job.columns(r.left, r.right);
        if (r.bold)
            job.bold(false);
    }
    if (!slip.qr.isEmpty())
        job.feed(1).qrCode(slip.qr);
    if (!slip.code128.isEmpty())
        job.feed(1).code128(slip.code128);
    if (!slip.footer.isEmpty())
        job.feed(1).align(Align::Center).line(slip.footer).align(Align::Left);
    job.feed(3).cut();
    return job.bytes();
}

} // namespace setia
