// Fuzz target: the magnetic-stripe track parser (drivers/magstripe.h).
//
// Every input is used twice:
//  1. As it is, raw reader output: parseMagStripe() must stay within its bounds and keep its
//     own promises (invariants below).
//  2. As the material for a well-formed swipe: byte 0 picks the shape (tracks 1 and/or 2, CR/LF
//     between and after them, a second identical swipe), the next bytes are mapped into each
//     track's character set to make the account number, the name and the discretionary data,
//     and the LRC characters are appended. Such a swipe must parse as ok(), with exactly the
//     fields it was built from (the name and the discretionary data — the PAN-free fields — as
//     well as the account number), whatever the LRC characters happen to be (a start sentinel,
//     '?', a space, …).
// Invariants of any parse (abort when broken):
//   at most one kept track per number, in the order 1, 2, 3; each no longer than the input;
//   a track's account field is a part of its data; formatCode is track 1's first character;
//   lrcOk only with hasLrc; reads is 0 exactly when no track was found; ok() means no errors;
//   too_long exactly when the input is longer than kMaxInput; wipe() leaves no track.
//   magStripeLrc: a track followed by its own LRC character has the LRC of an empty track.
#include "fuzzcheck.h"

#include "drivers/magstripe.h"

#include <QByteArray>
#include <QByteArrayView>

#include <algorithm>

using setia::MagStripeRead;
using setia::MagTrack;

namespace {

void checkRead(QByteArrayView in, MagStripeRead &r)
{
    SETIA_FUZZ_CHECK(r.tracks.size() <= 3);
    int previous = 0;
    for (const MagTrack &t : std::as_const(r.tracks)) {
        SETIA_FUZZ_CHECK(t.number > previous && t.number <= 3);
        previous = t.number;
        SETIA_FUZZ_CHECK(t.data.size() < std::min(in.size(), MagStripeRead::kMaxInput));
        SETIA_FUZZ_CHECK(t.data.contains(t.account));
        SETIA_FUZZ_CHECK(t.account.size() <= t.data.size());
        if (t.number == 1)
            SETIA_FUZZ_CHECK(t.data.isEmpty() ? t.formatCode == 0 : t.formatCode == t.data[0]);
        else
            SETIA_FUZZ_CHECK(t.formatCode == 0 && t.data.startsWith(t.account));
        SETIA_FUZZ_CHECK(!t.lrcOk || t.hasLrc);
        SETIA_FUZZ_CHECK(r.track(t.number) == &t);
    }
    SETIA_FUZZ_CHECK((r.reads == 0) == r.tracks.isEmpty());
    SETIA_FUZZ_CHECK(r.reads <= MagStripeRead::kMaxTracks);
    SETIA_FUZZ_CHECK(!r.ok() || r.errors.isEmpty());
    SETIA_FUZZ_CHECK(r.hasError(u"too_long") == (in.size() > MagStripeRead::kMaxInput));
    for (const auto &e : std::as_const(r.errors))
        SETIA_FUZZ_CHECK(e.track == 0 || r.track(e.track) != nullptr);
    r.wipe();
    SETIA_FUZZ_CHECK(r.tracks.isEmpty());
}

// Fuzz bytes into a track's character set, leaving out the characters that end or split a
// field: sentinels, field separators. `from` is consumed.
QByteArray field(QByteArrayView &from, qsizetype length, QByteArrayView alphabet)
{
    QByteArray out;
    for (qsizetype i = 0; i < length && !from.isEmpty(); ++i) {
        out += alphabet[quint8(from[0]) % alphabet.size()];
        from = from.sliced(1);
    }
    return out;
}

void wellFormed(QByteArrayView in)
{
    if (in.size() < 4)
        return;
    const auto shape = quint8(in[0]);
    QByteArrayView rest = in.sliced(1);
    static const QByteArray digits = "0123456789";
    static const QByteArray track1Text = [] { // 0x20–0x5F without % ; ? ^
        QByteArray a;
        for (char c = 0x20; c <= 0x5F; ++c)
            if (c != '%' && c != ';' && c != '?' && c != '^')
                a += c;
        return a;
    }();
    static const QByteArray track1Discretionary = track1Text + '^';
    static const QByteArray track2Text = "0123456789:<>"; // 0x30–0x3F without ; = ?
    const qsizetype panLength = 1 + quint8(rest[0]) % 19;
    const qsizetype nameLength = quint8(rest[1]) % 27;
    rest = rest.sliced(2);
    const QByteArray pan = field(rest, panLength, digits);
    if (pan.isEmpty())
        return;
    const QByteArray name = field(rest, nameLength, track1Text);
    const qsizetype disc1Room = 76 - 3 - pan.size() - name.size();
    const QByteArray disc1 = field(rest, rest.isEmpty() ? 0 : quint8(rest[0]) % (disc1Room + 1), track1Discretionary);
    const QByteArray disc2 = field(rest, 36 - pan.size(), track2Text);

    const QByteArray body1 = 'B' + pan + '^' + name + '^' + disc1;
    const QByteArray body2 = pan + '=' + disc2;
    const QByteArray t1 = '%' + body1 + '?';
    const QByteArray t2 = ';' + body2 + '?';
    const bool with1 = shape & 1, with2 = (shape & 2) || !with1;
    const QByteArray between = (shape & 4) ? "\r\n" : "";
    const QByteArray after = (shape & 8) ? "\r\n" : (shape & 16) ? "\t" : "";
    QByteArray swipe;
    if (with1)
        swipe += t1 + setia::magStripeLrc(1, t1) + between;
    if (with2)
        swipe += t2 + setia::magStripeLrc(2, t2);
    swipe += after;
    const bool twice = shape & 32;
    const QByteArray input = twice ? swipe + swipe : swipe;

    MagStripeRead r = setia::parseMagStripe(input);
    SETIA_FUZZ_CHECK(r.ok());
    SETIA_FUZZ_CHECK(r.reads == (twice ? 2 : 1));
    SETIA_FUZZ_CHECK(r.tracks.size() == int(with1) + int(with2));
    if (with1) {
        const MagTrack *t = r.track(1);
        SETIA_FUZZ_CHECK(t && t->complete && t->hasLrc && t->lrcOk && !t->badCharacters);
        SETIA_FUZZ_CHECK(t->formatCode == 'B');
        SETIA_FUZZ_CHECK(t->account == pan);
        SETIA_FUZZ_CHECK(t->data == body1);
        // The PAN-free fields: the name and the discretionary data, after the account.
        const QByteArray afterAccount = t->data.sliced(1 + pan.size());
        SETIA_FUZZ_CHECK(afterAccount == '^' + name + '^' + disc1);
    }
    if (with2) {
        const MagTrack *t = r.track(2);
        SETIA_FUZZ_CHECK(t && t->complete && t->hasLrc && t->lrcOk && !t->badCharacters);
        SETIA_FUZZ_CHECK(t->account == pan);
        SETIA_FUZZ_CHECK(t->data == body2);
        SETIA_FUZZ_CHECK(t->data.sliced(pan.size() + 1) == disc2);
    }
    r.wipe();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    const QByteArrayView in(reinterpret_cast<const char *>(data), qsizetype(size));
    MagStripeRead r = setia::parseMagStripe(in);
    checkRead(in, r);

    for (int track = 1; track <= 3; ++track) {
        const QByteArrayView head = in.first(std::min<qsizetype>(in.size(), 128));
        const char lrc = setia::magStripeLrc(track, head);
        const QByteArray closed = head.toByteArray() + lrc;
        SETIA_FUZZ_CHECK(setia::magStripeLrc(track, closed) == (track == 1 ? ' ' : '0'));
    }

    wellFormed(in);
    return 0;
}
