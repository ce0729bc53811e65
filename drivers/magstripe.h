#pragma once
// Magnetic-stripe reads (ISO/IEC 7811, 7813 and 4909), as they arrive from a reader in keyboard
// mode or as raw track text: track 1 `%B…^NAME^…?`, track 2 `;…=…?`, track 3 `;…?`, each
// optionally followed by its LRC character, several tracks in one read, several reads (a card
// swiped twice) in one burst, CR/LF/Tab between tracks and after the last one.
//
// The parser knows nothing of loyalty or payments: it says which tracks it found, what their
// primary account field is and what was wrong. Deciding what a card *is* (a member card, a bank
// card to refuse) is core's job (app/core/scanmeaning.h).
//
// Robustness: any bytes are accepted (binary, garbage, NULs); at most kMaxInput bytes are looked
// at and at most kMaxTracks tracks are kept, so the work is bounded whatever arrives.
//
// A read may hold a payment card's number. The result owns copies of the track bytes: call
// wipe() when done with it, and drop the input buffer too (PCI DSS 3.3.1: no sensitive
// authentication data after authorisation — here, never at all).
#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

namespace setia {

struct MagTrack {
    int number = 0;          // 1, 2 or 3
    QByteArray data;         // between the start and end sentinels (both excluded)
    QByteArray account;      // the primary account field: track 1 after the format code up to '^',
                             // tracks 2 and 3 up to '='; the whole rest when there is no separator
    char formatCode = 0;     // track 1 only: 'B' for financial cards (ISO 7813); 0 for tracks 2 and 3
    bool complete = false;   // the end sentinel '?' was read
    bool hasLrc = false;     // an LRC character followed the end sentinel
    bool lrcOk = false;      // when hasLrc: it matches the track's characters
    bool badCharacters = false; // a character outside the track's character set
};

struct MagStripeError {
    // Stable codes:
    //   empty                nothing but whitespace
    //   too_long             more than kMaxInput bytes (the rest was not looked at)
    //   too_many_tracks      more than kMaxTracks tracks (the rest were not kept)
    //   unexpected_bytes     bytes outside any track (garbage, text, binary)
    //   missing_end_sentinel a partial read: the track stops without '?'
    //   bad_character        a character outside the track's character set
    //   track_too_long       longer than ISO/IEC 7811 allows (79, 40, 107 characters)
    //   empty_track          a track with no data between its sentinels
    //   lrc_mismatch         the LRC character does not match the track
    //   conflicting_reads    two good reads of the same track differ (two cards in one burst)
    QString code;
    int track = 0; // the track concerned, 0 for the whole read
};

struct MagStripeRead {
    static constexpr qsizetype kMaxInput = 1024;
    static constexpr int kMaxTracks = 12;

    QList<MagTrack> tracks;       // the best read of each track found, by track number
    int reads = 0;                // swipes in the input (a repeated read makes this > 1)
    QList<MagStripeError> errors; // what was wrong with the tracks kept, and with the input

    // At least one track and nothing wrong.
    bool ok() const { return errors.isEmpty() && !tracks.isEmpty(); }
    bool hasError(QStringView code) const;
    const MagTrack *track(int number) const;
    // Overwrites the track bytes this value owns, then forgets them.
    void wipe();
};

MagStripeRead parseMagStripe(QByteArrayView input);

// The LRC character of a track given with its start and end sentinels: the exclusive-or of the
// characters' data bits (6 for track 1, offset 0x20; 4 for tracks 2 and 3, offset 0x30).
char magStripeLrc(int trackNumber, QByteArrayView withSentinels);

} // namespace setia
