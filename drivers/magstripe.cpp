#include "magstripe.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace setia {

namespace {

constexpr char kTrack1Start = '%';
constexpr char kTrack23Start = ';';
constexpr char kEnd = '?';

// ISO/IEC 7811-2: the longest track, sentinels and LRC included.
constexpr qsizetype maxDataLength(int track) { return track == 1 ? 79 - 3 : track == 2 ? 40 - 3 : 107 - 3; }

bool inCharset(int track, char c)
{
    const auto u = static_cast<unsigned char>(c);
    return track == 1 ? (u >= 0x20 && u <= 0x5F) : (u >= 0x30 && u <= 0x3F);
}

// Between tracks and after the last one: what readers and keyboard wedges add.
bool isSeparator(char c) { return c == '\r' || c == '\n' || c == '\t' || c == ' '; }
bool isStart(char c) { return c == kTrack1Start || c == kTrack23Start; }

// Overwrites a buffer only this value holds (a shared one belongs to someone else too, who
// must wipe it), then forgets it. volatile: the writes are not optimised away.
void wipeBytes(QByteArray &b)
{
    if (!b.isEmpty() && b.isDetached()) {
        volatile char *p = b.data();
        for (qsizetype i = 0; i < b.size(); ++i)
            p[i] = 0;
    }
    b.clear();
}

struct Found {
    MagTrack track;
    int read = 0;
    bool tooLong = false;
    int score() const
    {
        return (track.complete ? 8 : 0) + (!track.hasLrc || track.lrcOk ? 4 : 0) + (!track.badCharacters ? 2 : 0)
            + (!tooLong ? 1 : 0);
    }
    static constexpr int kPerfect = 15;
};

} // namespace

char magStripeLrc(int trackNumber, QByteArrayView withSentinels)
{
    const int offset = trackNumber == 1 ? 0x20 : 0x30;
    const int mask = trackNumber == 1 ? 0x3F : 0x0F;
    int lrc = 0;
    for (char c : withSentinels)
        lrc ^= (static_cast<unsigned char>(c) - offset) & mask;
    return static_cast<char>(offset + lrc);
}

bool MagStripeRead::hasError(QStringView code) const
{
    return std::any_of(errors.begin(), errors.end(), [&](const MagStripeError &e) { return e.code == code; });
}

const MagTrack *MagStripeRead::track(int number) const
{
    for (const MagTrack &t : tracks)
        if (t.number == number)
            return &t;
    return nullptr;
}

void MagStripeRead::wipe()
{
    for (MagTrack &t : tracks) {
        wipeBytes(t.data);
        wipeBytes(t.account);
    }
    tracks.clear();
}

MagStripeRead parseMagStripe(QByteArrayView input)
{
    MagStripeRead out;
    const qsizetype n = qMin(input.size(), MagStripeRead::kMaxInput);
    if (input.size() > MagStripeRead::kMaxInput)
        out.errors << MagStripeError{u"too_long"_s, 0};

    QList<Found> found;
    bool unexpected = false;
    bool onlySpace = true;
    int read = 0;       // the swipe being parsed
    int lastNumber = 0; // the last track of this swipe (0: none yet)
    QByteArrayView lastTrack2;
    qsizetype pos = 0;
    while (pos < n) {
        const char c = input[pos];
        if (isSeparator(c)) {
            ++pos;
            continue;
        }
        onlySpace = false;
        if (!isStart(c)) { // garbage between tracks: skipped byte by byte (bounded by n)
            unexpected = true;
            ++pos;
            continue;
        }
        if (found.size() == MagStripeRead::kMaxTracks) {
            out.errors << MagStripeError{u"too_many_tracks"_s, 0};
            break;
        }
        const bool t1 = c == kTrack1Start;
        // The body runs to the end sentinel; a separator or another start sentinel first means
        // a partial read (';' is a data character on track 1 by the book, but no card issuer
        // uses it, while a partial track 1 followed by track 2 is common).
        qsizetype i = pos + 1;
        bool complete = false, bad = false;
        while (i < n) {
            const char b = input[i];
            if (b == kEnd) {
                complete = true;
                break;
            }
            if (b == '\r' || b == '\n' || b == '\t' || isStart(b))
                break;
            if (!inCharset(t1 ? 1 : 2, b))
                bad = true;
            ++i;
        }
        const QByteArrayView body = input.sliced(pos + 1, i - pos - 1);
        int number = 1;
        if (t1) {
            if (lastNumber != 0) { // track 1 again: a new swipe
                ++read;
                lastNumber = 0;
            }
        } else {
            const bool looksLikeTrack3 = body.size() > maxDataLength(2);
            if (lastNumber == 3 || (lastNumber == 2 && body == lastTrack2)) { // a repeated read
                ++read;
                lastNumber = 0;
            }
            number = lastNumber == 2 || looksLikeTrack3 ? 3 : 2;
            if (number == 2)
                lastTrack2 = body;
        }
        lastNumber = number;

        Found f;
        f.read = read;
        MagTrack &t = f.track;
        t.number = number;
        t.data = QByteArray(body.data(), body.size()); // a copy of its own, so that wipe() reaches it
        t.complete = complete;
        t.badCharacters = bad;
        f.tooLong = body.size() > maxDataLength(number);
        qsizetype from = 0;
        if (number == 1 && !body.isEmpty()) {
            t.formatCode = body[0];
            from = 1;
        }
        const char separator = number == 1 ? '^' : '=';
        qsizetype to = body.indexOf(separator, from);
        if (to < 0)
            to = body.size();
        t.account = QByteArray(body.data() + from, to - from);

        pos = complete ? i + 1 : i;
        if (complete && pos < n) {
            // The LRC, when the reader passes it on. A start sentinel right after '?' is the next
            // track unless it is exactly the expected LRC and nothing track-like follows it.
            const char next = input[pos];
            QByteArray whole;
            whole.reserve(body.size() + 2);
            whole.append(c).append(body).append(kEnd);
            const char expected = magStripeLrc(number, whole);
            wipeBytes(whole);
            if (isStart(next)) {
                const bool endsHere = pos + 1 >= n || isSeparator(input[pos + 1]) || isStart(input[pos + 1]);
                if (next == expected && endsHere) {
                    t.hasLrc = t.lrcOk = true;
                    ++pos;
                }
            } else if (next == expected) {
                t.hasLrc = t.lrcOk = true;
                ++pos;
            } else if (!isSeparator(next) && inCharset(number, next)) {
                t.hasLrc = true;
                ++pos;
            }
        }
        found << f;
    }
    out.reads = found.isEmpty() ? 0 : read + 1;

    // The best read of each track; a partial swipe followed by a good one is not an error.
    for (int number = 1; number <= 3; ++number) {
        const Found *best = nullptr;
        for (const Found &f : found)
            if (f.track.number == number && (!best || f.score() > best->score()))
                best = &f;
        if (!best)
            continue;
        for (const Found &f : found)
            if (&f != best && f.track.number == number && f.score() == Found::kPerfect && best->score() == Found::kPerfect
                && f.track.data != best->track.data) {
                out.errors << MagStripeError{u"conflicting_reads"_s, number};
                break;
            }
        const MagTrack &t = best->track;
        if (!t.complete)
            out.errors << MagStripeError{u"missing_end_sentinel"_s, number};
        if (t.badCharacters)
            out.errors << MagStripeError{u"bad_character"_s, number};
        if (best->tooLong)
            out.errors << MagStripeError{u"track_too_long"_s, number};
        if (t.data.isEmpty())
            out.errors << MagStripeError{u"empty_track"_s, number};
        if (t.hasLrc && !t.lrcOk)
            out.errors << MagStripeError{u"lrc_mismatch"_s, number};
        out.tracks << t;
    }
    if (unexpected)
        out.errors << MagStripeError{u"unexpected_bytes"_s, 0};
    if (found.isEmpty() && onlySpace && n == input.size())
        out.errors << MagStripeError{u"empty"_s, 0};
    // The reads not kept: their bytes are overwritten here (the kept ones are shared with out).
    for (Found &f : found) {
        wipeBytes(f.track.data);
        wipeBytes(f.track.account);
    }
    return out;
}

} // namespace setia
