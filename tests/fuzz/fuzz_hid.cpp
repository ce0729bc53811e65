// Fuzz target: the USB HID scanner decoders (drivers/usbhiddecoder.h) — boot keyboard reports in
// both layouts, Honeywell HID POS reports, HID report descriptors, AIM identifiers.
//
// Input: byte 0 picks the mode, the rest is the reports (or the descriptor).
//   mode % 8   0/1  keyboard US/German, 8-byte reports one after the other
//              2/3  keyboard US/German, reports of any length: [length byte & 0x7F][bytes]…
//              4    HID POS, 64-byte reports one after the other
//              5    HID POS, reports of any length: [length byte & 0x7F][bytes]…
//              6    report descriptor: bytes 1–2 the usage page (little endian), the rest the
//                   descriptor; the AIM identifier: bytes 1–3
//              7    MagTek HID swipe reader: packets of any length, [length byte & 0x7F][bytes]…
// Invariants (abort when broken):
//   keyboard  every scan is non-empty and at most kMaxPending characters; all the text typed is
//             never longer than the number of key usages pressed (a key types at most one
//             character, a dead key's accent is typed by the key after it)
//   HID POS   a read is non-empty, at most kMaxBarcode bytes, no longer than the barcode bytes
//             the reports declared and carried, without a CR/LF/Tab suffix; its AIM identifier
//             is empty or three bytes starting with ']', its symbology is symbologyFromAim's
//   MagTek    a read holds at most three tracks of kTrackSize bytes, only bytes the packets
//             carried, good + bad tracks <= 3; no more than kReportSize bytes are ever pending,
//             and none after a read or reset()
//   descriptor a descriptor that uses a page still does with any bytes appended (items are
//             read in order and the answer comes at the first match); the answer is stable
#include "fuzzcheck.h"

#include "drivers/usbhiddecoder.h"

#include <QByteArrayView>

#include <algorithm>

using setia::HidKeyboardDecoder;
using setia::HidKeyboardLayout;
using setia::HidPosDecoder;

namespace {

// The reports of the input: fixed-size chunks, or length-prefixed records.
template <typename F>
void forEachReport(QByteArrayView in, bool prefixed, qsizetype fixedSize, F &&f)
{
    qsizetype i = 0;
    while (i < in.size()) {
        qsizetype len = fixedSize;
        if (prefixed) {
            len = quint8(in[i]) & 0x7F;
            ++i;
        }
        len = std::min(len, in.size() - i);
        f(in.sliced(i, len));
        i += len;
    }
}

void keyboard(QByteArrayView in, HidKeyboardLayout layout, bool prefixed)
{
    HidKeyboardDecoder d(layout);
    qsizetype pressed = 0; // non-zero key usages seen (an upper bound of the keys typed)
    qsizetype typed = 0;
    auto checkScan = [&](const QString &scan) {
        SETIA_FUZZ_CHECK(!scan.isEmpty());
        SETIA_FUZZ_CHECK(scan.size() <= HidKeyboardDecoder::kMaxPending);
        typed += scan.size();
    };
    forEachReport(in, prefixed, 8, [&](QByteArrayView report) {
        for (qsizetype k = 2; k < std::min<qsizetype>(report.size(), 8); ++k)
            pressed += report[k] != 0;
        for (const QString &scan : d.feed(report))
            checkScan(scan);
        SETIA_FUZZ_CHECK(d.pending().size() <= HidKeyboardDecoder::kMaxPending);
        SETIA_FUZZ_CHECK(typed + d.pending().size() <= pressed);
    });
    SETIA_FUZZ_CHECK(d.layout() == layout);
    const QString pending = d.pending();
    const QString flushed = d.flush();
    SETIA_FUZZ_CHECK(flushed.size() <= HidKeyboardDecoder::kMaxPending);
    // flush() returns what was pending plus at most a dead key's accent (or nothing: too long).
    SETIA_FUZZ_CHECK(flushed.isEmpty() || flushed.startsWith(pending));
    SETIA_FUZZ_CHECK(flushed.size() <= pending.size() + 1);
    SETIA_FUZZ_CHECK(typed + flushed.size() <= pressed);
    SETIA_FUZZ_CHECK(d.pending().isEmpty());
    SETIA_FUZZ_CHECK(d.flush().isEmpty());
    d.reset();
    SETIA_FUZZ_CHECK(d.pending().isEmpty());
}

void pos(QByteArrayView in, bool prefixed)
{
    HidPosDecoder d;
    qsizetype carried = 0; // barcode bytes the reports of the current barcode declared and held
    forEachReport(in, prefixed, HidPosDecoder::kReportSize, [&](QByteArrayView report) {
        if (!report.isEmpty() && quint8(report[0]) == HidPosDecoder::kReportId) {
            const qsizetype declared = report.size() > 1 ? quint8(report[1]) : 0;
            const qsizetype held = std::max<qsizetype>(0, std::min<qsizetype>(report.size(), 5 + HidPosDecoder::kMaxChunk) - 5);
            carried += std::min({declared, held, HidPosDecoder::kMaxChunk});
        }
        const auto read = d.feed(report);
        if (!d.inProgress() && !read)
            carried = 0;
        if (!read)
            return;
        SETIA_FUZZ_CHECK(!d.inProgress());
        SETIA_FUZZ_CHECK(!read->data.isEmpty());
        SETIA_FUZZ_CHECK(read->data.size() <= HidPosDecoder::kMaxBarcode);
        SETIA_FUZZ_CHECK(read->data.size() <= carried);
        SETIA_FUZZ_CHECK(!read->data.endsWith('\r') && !read->data.endsWith('\n') && !read->data.endsWith('\t'));
        SETIA_FUZZ_CHECK(read->aim.isEmpty() || (read->aim.size() == 3 && read->aim.startsWith(']')));
        SETIA_FUZZ_CHECK(read->symbology == setia::symbologyFromAim(read->aim));
        carried = 0;
    });
    d.reset();
    SETIA_FUZZ_CHECK(!d.inProgress());
}

void magtek(QByteArrayView in)
{
    setia::MagTekDecoder d;
    qsizetype carried = 0; // bytes fed since the last read
    forEachReport(in, true, 0, [&](QByteArrayView packet) {
        carried += packet.size();
        const auto read = d.feed(packet);
        SETIA_FUZZ_CHECK(d.pending() < setia::MagTekDecoder::kReportSize);
        if (!read) {
            SETIA_FUZZ_CHECK(d.pending() <= carried);
            return;
        }
        SETIA_FUZZ_CHECK(d.pending() == 0);
        SETIA_FUZZ_CHECK(read->goodTracks >= 0 && read->badTracks >= 0 && read->goodTracks + read->badTracks <= 3);
        SETIA_FUZZ_CHECK(read->tracks.size() <= read->goodTracks * setia::MagTekDecoder::kTrackSize);
        SETIA_FUZZ_CHECK(read->tracks.size() <= carried);
        carried = 0;
    });
    d.reset();
    SETIA_FUZZ_CHECK(d.pending() == 0);
}

void descriptor(QByteArrayView in)
{
    if (in.size() < 3)
        return;
    const auto page = quint16(quint8(in[1]) | (quint8(in[2]) << 8));
    const QByteArrayView desc = in.sliced(3);
    const bool uses = setia::hidReportDescriptorUsesPage(desc, page);
    SETIA_FUZZ_CHECK(uses == setia::hidReportDescriptorUsesPage(desc, page));
    if (uses) {
        QByteArray longer = desc.toByteArray();
        longer.append(in.first(3));
        longer.append(char(0xFE)); // a long item cut short
        SETIA_FUZZ_CHECK(setia::hidReportDescriptorUsesPage(longer, page));
    }
    (void)setia::hidReportDescriptorUsesPage(desc, 0x8C);

    const QByteArrayView aim = in.sliced(1, std::min<qsizetype>(3, in.size() - 1));
    const QString symbology = setia::symbologyFromAim(aim);
    SETIA_FUZZ_CHECK(symbology.isEmpty() || aim.startsWith(']'));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (size == 0)
        return 0;
    const QByteArrayView all(reinterpret_cast<const char *>(data), qsizetype(size));
    const QByteArrayView rest = all.sliced(1);
    switch (data[0] % 8) {
    case 0: keyboard(rest, HidKeyboardLayout::Us, false); break;
    case 1: keyboard(rest, HidKeyboardLayout::German, false); break;
    case 2: keyboard(rest, HidKeyboardLayout::Us, true); break;
    case 3: keyboard(rest, HidKeyboardLayout::German, true); break;
    case 4: pos(rest, false); break;
    case 5: pos(rest, true); break;
    case 6: descriptor(all); break;
    default: magtek(rest); break;
    }
    return 0;
}
