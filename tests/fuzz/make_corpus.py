#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (tests/fuzz/corpus/fuzz_<name>/), one small
file per seed, named after what it holds. Run it again after changing a seed; the files are
checked in, so the fuzzers and the replay tests need no Python.

Formats (see the comment at the top of each fuzz_<name>.cpp):
  fuzz_hid        mode byte, then reports (8-byte keyboard reports, 64-byte HID POS reports,
                  or [length][bytes] records), or a usage page and a report descriptor
  fuzz_magstripe  the reader's bytes as they are (byte 0 also shapes a well-formed swipe)
  fuzz_scan       source byte, symbology byte, then the payload

Test card numbers are the networks' published test PANs (4111 1111 1111 1111, ...), never real
accounts. LRC characters are computed here, independently of drivers/magstripe.cpp.
"""
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")

# ---- HID ----------------------------------------------------------------------------------

LSHIFT, LCTRL, LALT, RALT = 0x02, 0x01, 0x04, 0x40
ENTER, TAB, SPACE = 0x28, 0x2B, 0x2C
US_DIGIT = {str((i + 1) % 10): 0x1E + i for i in range(10)}


def kb(mod, *keys):
    r = bytearray(8)
    r[0] = mod
    for i, k in enumerate(keys):
        r[2 + i] = k
    return bytes(r)


def tap(mod, key):
    return kb(mod, key) + kb(0)


def typed_digits(text):
    return b"".join(tap(0, US_DIGIT[c]) for c in text)


def pos_report(aim, chunk, more, size=64, declared=None):
    r = bytearray(size)
    r[0] = 0x02
    if size > 1:
        r[1] = len(chunk) if declared is None else declared
    for i, c in enumerate(aim[: max(0, size - 2)]):
        r[2 + i] = c
    for i, c in enumerate(chunk[: max(0, size - 5)]):
        r[5 + i] = c
    if size > 61:
        r[61] = ord("s")
    if size > 63:
        r[63] = 1 if more else 0
    return bytes(r)


def prefixed(reports):
    return b"".join(bytes([len(r)]) + r for r in reports)


def hid_seeds():
    s = {}
    s["us_setia_card_enter"] = b"\x00" + typed_digits("2900000000018") + tap(0, ENTER)
    s["us_shift_letters_tab"] = b"\x00" + tap(LSHIFT, 0x04) + tap(0, 0x05) + tap(LSHIFT, 0x2D) + tap(0, TAB)
    s["us_rollover"] = b"\x00" + kb(0, 0x04) + kb(0, 0x04, 0x05) + kb(0, 0x05) + kb(0, 0x05, 0x06) + kb(0) + tap(0, ENTER)
    s["us_error_rollover"] = b"\x00" + kb(0, 0x04) + kb(0, 1, 1, 1, 1, 1, 1) + kb(0) + tap(0, 0x58)
    s["us_gs1_ctrl_bracket"] = b"\x00" + typed_digits("01") + tap(LCTRL, 0x30) + typed_digits("10") + tap(0, ENTER)
    s["us_no_terminator"] = b"\x00" + typed_digits("12345")
    s["de_dead_keys"] = (b"\x01" + tap(0, 0x35) + tap(0, SPACE) + tap(0, 0x35) + tap(0, 0x08) + tap(0, 0x2E)
                         + tap(0, 0x08) + tap(LSHIFT, 0x2E) + tap(0, 0x04) + tap(0, 0x35) + tap(0, 0x1E)
                         + tap(0, 0x2E) + tap(0, ENTER))
    s["de_altgr_qwertz"] = (b"\x01" + tap(RALT, 0x14) + tap(LCTRL | LALT, 0x14) + tap(0, 0x1C) + tap(0, 0x1D)
                            + tap(RALT, 0x08) + tap(0, 0x2F) + tap(0, ENTER))
    s["us_short_and_long_reports"] = b"\x02" + prefixed([kb(0, 0x04)[:3], b"\x00", kb(0)[:4], kb(0, 0x05) + b"\xff" * 8, kb(0, ENTER), kb(0)])
    s["de_short_reports"] = b"\x03" + prefixed([kb(0, 0x35)[:3], kb(0)[:3], kb(0, 0x18)[:3], kb(0)[:3], kb(0, ENTER)[:3]])
    s["pos_ean13"] = b"\x04" + pos_report(b"]E0", b"2900000000018", False)
    s["pos_qr_three_reports"] = b"\x04" + b"".join(
        pos_report(b"]Q1", bytes((ord("A") + i % 26) for i in range(56 * k, 56 * k + 56))[: 150 - 56 * k], k < 2)
        for k in range(3))
    s["pos_crlf_suffix_and_other_report_id"] = (b"\x04" + bytes([0x01]) + bytes(63)
                                                + pos_report(b"]C0", b"ABC123\r\n", False))
    s["pos_declared_too_much"] = b"\x04" + pos_report(b"]d2", b"X" * 10, False, declared=200)
    s["pos_short_reports"] = b"\x05" + prefixed([pos_report(b"]A0", b"CODE39", False, size=11), b"\x02", pos_report(b"]e0", b"", False, size=5)])
    s["pos_no_aim"] = b"\x05" + prefixed([pos_report(b"\x00\x00\x00", b"1234", False)])
    # Report descriptors: a HID POS one (Usage Page 0x8C), a boot keyboard one (page 0x01/0x07),
    # a 32-bit Usage, a long item.
    s["desc_hid_pos"] = b"\x06\x8c\x00" + bytes([0x06, 0x8C, 0x00, 0x09, 0x02, 0xA1, 0x01, 0x85, 0x02, 0x15, 0x00, 0x26, 0xFF, 0x00, 0x75, 0x08, 0x95, 0x3F, 0x09, 0xFE, 0x81, 0x02, 0xC0])
    s["desc_boot_keyboard"] = b"\x06\x8c\x00" + bytes([0x05, 0x01, 0x09, 0x06, 0xA1, 0x01, 0x05, 0x07, 0x19, 0xE0, 0x29, 0xE7, 0x15, 0x00, 0x25, 0x01, 0x75, 0x01, 0x95, 0x08, 0x81, 0x02, 0xC0])
    s["desc_extended_usage"] = b"\x06\x8c\x00" + bytes([0x0B, 0x02, 0x00, 0x8C, 0x00, 0xA1, 0x01, 0xC0])
    s["desc_long_item"] = b"\x06\x8c\x00" + bytes([0xFE, 0x02, 0x10, 0xAA, 0xBB, 0x06, 0x8C, 0x00])
    s["desc_truncated"] = b"\x06\x8c\x00" + bytes([0x06, 0x8C])
    s["aim_ean8"] = b"\x06]E4"
    # MagTek HID swipe reader: one 337-byte report (status, lengths, encode type, three 110-byte
    # tracks) in 64-byte packets, then a second swipe in odd-sized packets with track 3 bad.
    s["magtek_two_swipes"] = b"\x07" + prefixed(packets(magtek_report([SETIA_T1, SETIA_T2, b""]), 64)
                                                 + packets(magtek_report([VISA_T1, VISA_T2, T3], bad=(3,)), 50))
    s["magtek_cut_short"] = b"\x07" + prefixed(packets(magtek_report([SETIA_T1, b"", b""])[:200], 64))
    return s


def magtek_report(tracks, bad=()):
    r = bytearray(337)
    for t, data in enumerate(tracks):
        r[t] = 1 if (t + 1) in bad else 0
        r[3 + t] = len(data)
        at = (7, 117, 227)[t]
        r[at:at + len(data)] = data
    r[6] = 0
    return bytes(r)


def packets(report, size):
    return [report[i:i + size] for i in range(0, len(report), size)]

# ---- magnetic stripe ----------------------------------------------------------------------


def lrc(track, with_sentinels):
    offset, mask = (0x20, 0x3F) if track == 1 else (0x30, 0x0F)
    x = 0
    for c in with_sentinels:
        x ^= (c - offset) & mask
    return bytes([offset + x])


VISA_T1 = b"%B4111111111111111^DOE/JOHN^25121010000000000000?"
VISA_T2 = b";4111111111111111=25121010000000000000?"
SETIA_T1 = b"%B2900000000018^MEMBER/SETIA^?"
SETIA_T2 = b";2900000000018=?"
T3 = b";0111234567890123456=724724000000000000000000000000000000000000000000000?"


def mag_seeds():
    s = {}
    s["visa_t1_t2_lrc_crlf"] = VISA_T1 + lrc(1, VISA_T1) + VISA_T2 + lrc(2, VISA_T2) + b"\r\n"
    s["visa_t2"] = VISA_T2 + b"\r"
    s["setia_t1_t2_lrc"] = SETIA_T1 + lrc(1, SETIA_T1) + SETIA_T2 + lrc(2, SETIA_T2)
    s["setia_swiped_twice"] = (SETIA_T1 + b"\n" + SETIA_T2 + b"\n") * 2
    s["three_tracks"] = VISA_T1 + b"\n" + VISA_T2 + b"\n" + T3 + b"\n"
    s["partial_t1_then_t2"] = b"%B41111111111^DOE" + VISA_T2
    s["wrong_lrc"] = VISA_T2 + b"7"
    s["garbage_around"] = b"\x00\xffxx" + SETIA_T2 + b"zz"
    s["empty_tracks"] = b"%?;?;?"
    s["track_too_long"] = b";" + b"1" * 60 + b"?"
    # Byte 0 shapes the well-formed swipe the target builds from the rest.
    s["shape_t1_t2_twice"] = bytes([0x27, 16, 8]) + b"4111111111111111DOE JOHN" + b"\x10" + b"2512101" * 6
    return s

# ---- scan classifier ----------------------------------------------------------------------

# ScanSource: KeyboardWedge, HidScanner, MagStripe, Camera, Contactless, Virtual, Manual
WEDGE, HID, MAG, CAMERA, CONTACTLESS, VIRTUAL, MANUAL = range(7)
# Symbologies in fuzz_scan.cpp's list.
NONE, EAN13, EAN8, UPCA, UPCE, QR, CODE128, TRACK = range(8)
UID, EMV = 12, 13

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def human_code(body):
    factor, total = 2, 0
    for c in reversed(body):
        addend = factor * CROCKFORD.index(c)
        factor = 1 if factor == 2 else 2
        total += addend // 32 + addend % 32
    full = body + CROCKFORD[(32 - total % 32) % 32]
    return "-".join(full[i:i + 4] for i in range(0, len(full), 4))


def scan_seeds():
    def seed(source, symbology, payload):
        return bytes([source, symbology]) + payload

    s = {}
    s["setia_card_ean13"] = seed(HID, EAN13, b"2900000000018\r\n")
    s["setia_card_typed"] = seed(MANUAL, NONE, b"2900000000018")
    s["setia_card_bad_check"] = seed(WEDGE, NONE, b"2900000000019")
    s["visa_typed_grouped"] = seed(MANUAL, NONE, b"4111 1111 1111 1111")
    s["visa_in_qr"] = seed(CAMERA, QR, b"pay:4111-1111-1111-1111")
    s["mastercard_ean13"] = seed(HID, EAN13, b"5555555555554444")
    s["amex"] = seed(WEDGE, NONE, b"378282246310005")
    s["visa_tracks"] = seed(MAG, TRACK, VISA_T1 + lrc(1, VISA_T1) + VISA_T2 + lrc(2, VISA_T2))
    s["setia_tracks"] = seed(MAG, TRACK, SETIA_T1 + lrc(1, SETIA_T1) + SETIA_T2 + lrc(2, SETIA_T2) + b"\r")
    s["partial_track"] = seed(WEDGE, NONE, b"%B2900000000018^MEM")
    s["track3_other_scheme"] = seed(MAG, NONE, T3)
    s["phone_national"] = seed(MANUAL, NONE, b"0812-3456-7890")
    s["phone_e164_punctuated"] = seed(MANUAL, NONE, b"+62 (812) 3456.7890")
    s["voucher"] = seed(HID, CODE128, human_code("7K3M9PQR2T").encode())
    s["card_token"] = seed(CAMERA, QR, b"SETIA1.MjkwMDAwMDAwMDAxOHwxNzAwMDAwMDAwMDAwfDE3MzE1MzYwMDAwMDA.AAECAwQFBgcICQoLDA0ODw")
    s["name"] = seed(MANUAL, NONE, "Budi  Santoso Ä".encode())
    s["control_chars"] = seed(WEDGE, NONE, b"12\x1d34\x00")
    s["not_utf8"] = seed(VIRTUAL, NONE, b"\xff\xfe41")
    s["too_long"] = seed(CONTACTLESS, NONE, b"A" * 300)
    s["old_scheme_card"] = seed(WEDGE, CODE128, b"LOY-000123")
    # Contactless readers: a chip UID, a random one, a payment card recognised by its PPSE.
    s["chip_uid"] = seed(CONTACTLESS, UID, b"04A1B2C3D4E5F6")
    s["chip_uid_random"] = seed(CONTACTLESS, UID, b"08A1B2C3")
    s["chip_emv"] = seed(CONTACTLESS, EMV, b"")
    # Found by fuzz_scan (payment card numbers the classifier let through as text); regressions.
    s["pan_in_parentheses"] = seed(MANUAL, NONE, b"(4111) 1111 1111 1111")
    s["pan_with_dots"] = seed(MANUAL, NONE, b"4111.1111.1111.1111")
    s["pan_with_double_spaces"] = seed(MANUAL, NONE, b"4111  1111  1111  1111")
    s["pan_with_nbsp"] = seed(MANUAL, NONE, "4111\u00a01111\u00a01111\u00a01111".encode())
    s["pan_with_slashes"] = seed(MANUAL, NONE, b"4111/1111/1111/1111")
    s["pan_inside_longer_run"] = seed(HID, QR, b"4+38787*)662 317872)62 .65872)62 . 65872)62 . O90")
    s["pan_with_space_runs"] = seed(MANUAL, TRACK, b"4111       11111120  1110")
    s["pan_with_em_spaces"] = seed(MANUAL, NONE, "4111\u20031111\u20031111\u20031111".encode())
    s["track_pan_said_to_be_uid"] = seed(CONTACTLESS, UID, b";4111111111111111=21114567?")
    s["phone_holds_13_digit_visa"] = seed(MANUAL, 0x38 % 14, b"+4387872)62 .65 90")
    s["phone_value_is_visa"] = seed(MANUAL, NONE, b"+4387872)62 ........65 90")
    s["uid_too_long"] = seed(CONTACTLESS, UID, b"04" * 600)
    return s


def write(name, seeds):
    d = os.path.join(CORPUS, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    for seed_name, data in sorted(seeds.items()):
        with open(os.path.join(d, seed_name), "wb") as f:
            f.write(data)


def main():
    write("fuzz_hid", hid_seeds())
    write("fuzz_magstripe", mag_seeds())
    write("fuzz_scan", scan_seeds())
    return 0


if __name__ == "__main__":
    sys.exit(main())
