#pragma once
// What USB HID barcode scanners send, turned into text. Pure: no libusb, no threads, no clock.
//
// Two kinds of report (docs/hardware.md):
//  - Keyboard mode: 8-byte boot keyboard input reports (modifier bits, a reserved byte, up to six
//    key usages of HID usage page 0x07). HidKeyboardDecoder turns them into text as a keyboard of
//    the scanner's configured country would: the same usage means 'z' on a US scanner and 'y' on
//    a German one.
//  - HID POS mode (HID usage page 0x8C, "bar code scanner"): HidPosDecoder reads the Honeywell
//    HID POS input report (report ID 0x02, 64 bytes) in which a barcode arrives in one or more
//    reports with its AIM symbology identifier.
#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <QStringList>
#include <QStringView>

#include <array>
#include <optional>

namespace setia {

// The keyboard country a keyboard-mode scanner is programmed for ("USA", "Germany" in the
// scanners' programming guides).
enum class HidKeyboardLayout { Us, German };

QString hidKeyboardLayoutName(HidKeyboardLayout layout); // "us", "de"
std::optional<HidKeyboardLayout> hidKeyboardLayoutFromName(QStringView name);

// Boot keyboard reports to text.
//  - Only newly pressed keys count: a key still down in the next report (key repeat, or a key
//    held while the next one goes down — rollover) is typed once. The same character twice
//    needs a report without it in between, as on a real keyboard.
//  - Several keys newly pressed in one report are typed in the order of their slots.
//  - A report of ErrorRollOver (usage 0x01, "too many keys") is ignored as a whole.
//  - Shift is either Shift key (modifier bits 0x02, 0x20); AltGr is Right Alt (0x40) or
//    Ctrl+Left Alt; Ctrl with a key of '@'…'_' or a letter gives the control character
//    (Ctrl+] = GS, 0x1D, as scanners send the GS1 separator). Left Alt alone (menu
//    shortcuts, Alt+keypad codes) types nothing.
//  - Enter, keypad Enter and Tab end a scan: feed() returns the text typed before them (the
//    terminator itself is not part of it). An empty scan (a lone Enter) is not returned.
//  - German dead keys (^ ´ `) followed by a space type the accent itself; followed by a vowel
//    they make the accented letter; followed by anything else the accent and that character.
//  - Usages with no character in the layout (F-keys, arrows, Backspace, Escape) are ignored.
//  - At most kMaxPending characters are held; a longer scan is dropped whole at its terminator.
class HidKeyboardDecoder {
public:
    static constexpr qsizetype kMaxPending = 4096;

    explicit HidKeyboardDecoder(HidKeyboardLayout layout = HidKeyboardLayout::Us);

    // One input report: byte 0 modifiers, byte 1 reserved, bytes 2..7 key usages. Shorter
    // reports (at least 3 bytes) are read as far as they go; bytes after the eighth are ignored.
    // Returns the scans this report completed (usually none, at most a few).
    QStringList feed(QByteArrayView report);
    // The text typed since the last terminator.
    QString pending() const { return m_text; }
    // For scanners configured without a terminator: returns the pending text (unless it was
    // too long) and forgets it. The caller decides when the scanner has gone quiet.
    QString flush();
    void reset();
    HidKeyboardLayout layout() const { return m_layout; }

private:
    void type(quint8 usage, quint8 modifiers, QStringList &done);
    void append(QStringView text);
    QString takeScan();

    HidKeyboardLayout m_layout;
    std::array<quint8, 6> m_down{};
    QString m_text;
    char16_t m_dead = 0;
    bool m_overflow = false;
};

// One barcode read by a HID POS scanner.
struct HidPosRead {
    QByteArray data;      // the barcode's bytes, a trailing CR/LF/Tab suffix removed
    QByteArray aim;       // the AIM symbology identifier, e.g. "]Q1"; empty if the scanner sent none
    QString symbology;    // from the AIM identifier: "ean13", "qr", "code128", … ; "" when unknown
};

// Honeywell HID POS input reports (the format Honeywell scanners send in "HID POS" mode and
// that the WebHidBarcodeScanner project documents), byte offsets within the report including
// its ID:
//    0       report ID, 0x02 (reports with another ID — status, feature echoes — are ignored)
//    1       n: how many barcode bytes this report holds, 0..56
//    2..4    AIM symbology identifier ("]E0", "]Q1", …), repeated in every report of a barcode
//    5..60   barcode bytes (the first n count)
//    61      Honeywell code ID (not used: the AIM identifier is the standard one)
//    63      0 if this is the last report of the barcode, non-zero if more reports follow
// A barcode longer than 56 bytes arrives in several reports, each with the "more follows" flag
// but the last. A report shorter than 64 bytes is read as far as it goes and ends its barcode.
// A barcode longer than kMaxBarcode bytes is dropped whole.
class HidPosDecoder {
public:
    static constexpr quint8 kReportId = 0x02;
    static constexpr qsizetype kReportSize = 64;
    static constexpr qsizetype kMaxChunk = 56;
    static constexpr qsizetype kMaxBarcode = 8192;

    // One input report; a complete barcode when this report ended one.
    std::optional<HidPosRead> feed(QByteArrayView report);
    bool inProgress() const { return m_started; }
    void reset();

private:
    QByteArray m_data;
    QByteArray m_aim;
    bool m_started = false;
    bool m_overflow = false;
};

// MagTek USB HID swipe readers (0801:0002 and the HID-mode readers after it): one swipe is one
// 337-byte vendor input report, sent in as many interrupt packets as the endpoint needs:
//    0..2    decode status of tracks 1, 2, 3 (0: read without error)
//    3..5    the number of bytes of track 1, 2, 3 (0 when the track is empty)
//    6       card encode type (0 ISO/ABA, 1 AAMVA, 3 blank, 4 other, 5 undetermined, 6 none)
//    7       track 1 (110 bytes), 117 track 2 (110), 227 track 3 (110): ASCII, with sentinels
// feed() returns the tracks that read without error, concatenated in track order as a
// keyboard-mode reader would type them, once a whole report is in. A swipe with no good track
// gives an empty read (the cashier is asked to swipe again); lengths past their field are cut
// to it. The decoder overwrites its copy of the report as soon as the read has left it: track
// data may be a payment card's, which must never linger (PCI DSS 3.3.1).
struct MagTekRead {
    QByteArray tracks;        // e.g. "%B…?;…?" — empty when no track read cleanly
    int goodTracks = 0;       // tracks with data that read without error
    int badTracks = 0;        // tracks with data and a decode error
};
class MagTekDecoder {
public:
    static constexpr qsizetype kReportSize = 337;
    static constexpr qsizetype kTrackOffset[3] = {7, 117, 227};
    static constexpr qsizetype kTrackSize = 110;

    ~MagTekDecoder();
    std::optional<MagTekRead> feed(QByteArrayView packet);
    // Bytes of an unfinished report (a swipe cut short); reset() forgets (and overwrites) them.
    qsizetype pending() const { return m_report.size(); }
    void reset();

private:
    QByteArray m_report;
};
// Overwrites a buffer's bytes in a way the compiler may not optimise out, then empties it.
void wipeBytes(QByteArray &bytes);

// The Setia symbology name for an AIM identifier ("]E0" → "ean13"); "" when unknown.
QString symbologyFromAim(QByteArrayView aim);

// Whether a HID report descriptor uses the given usage page (0x8C for bar code scanners), in a
// Usage Page item or as the high half of a 32-bit Usage. Malformed descriptors: false.
bool hidReportDescriptorUsesPage(QByteArrayView descriptor, quint16 usagePage);

} // namespace setia
