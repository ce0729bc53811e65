#pragma once
// Cryptography through OpenSSL 3: SHA-256, HMAC-SHA-256, AES-256-GCM, scrypt, and the
// store's key file. Personal data is encrypted with a per-member key (crypto-shredding:
// erasing a member destroys its key, so every copy of the ciphertext, in backups and in the
// ledger, becomes unreadable without rewriting history).
#include "result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QFileDevice>
#include <QString>

#include <memory>
#include <mutex>

struct evp_md_ctx_st;

namespace setia {

QByteArray sha256(const QByteArray &data);
QString sha256Hex(const QByteArray &data);
QByteArray hmacSha256(const QByteArray &key, const QByteArray &data);

// HMAC-SHA-256 under one key for many messages: the key's inner and outer SHA-256 states are
// computed once, so a short message costs two compressions and no key setup or algorithm
// lookup. mac(data) is exactly hmacSha256(key, data). mac() only reads the states: one object
// can be used from several threads at once.
class HmacSha256 {
public:
    explicit HmacSha256(const QByteArray &key);
    ~HmacSha256();
    HmacSha256(const HmacSha256 &) = delete;
    HmacSha256 &operator=(const HmacSha256 &) = delete;
    // Writes the 32-byte MAC of data to out.
    void mac(QByteArrayView data, unsigned char *out) const;
    QByteArray mac(QByteArrayView data) const;

private:
    QByteArray m_key; // for the one-shot path if OpenSSL cannot copy a state (out of memory)
    evp_md_ctx_st *m_inner = nullptr, *m_outer = nullptr;
};

QByteArray randomBytes(int n);

// AES-256-GCM. Output: 12-byte random nonce | ciphertext | 16-byte tag. aad binds the
// ciphertext to where it belongs (member id and field), so it cannot be moved elsewhere.
QByteArray aesGcmEncrypt(const QByteArray &key, const QByteArray &plaintext, const QByteArray &aad);
// std::nullopt-like: an empty Result error when the tag does not verify (wrong key, tampered).
Result<QByteArray> aesGcmDecrypt(const QByteArray &key, const QByteArray &sealed, const QByteArray &aad);

// A PIN or password hashed with scrypt (memory-hard). Encoded "scrypt$N$r$p$salt$hash" (base64).
QString hashSecret(const QString &secret);
bool verifySecret(const QString &secret, const QString &encoded);

// The store's master key: 32 random bytes in a file of its own, mode 0600, outside the
// database file. From it two keys are derived: one wraps per-member data keys, one makes the
// keyed hashes (blind indexes) that let phone and name lookups work on encrypted data.
// The group whose members may share a till's store (docs/install.md "The terminal app and the
// store"): the packages' group `setia`. A key file of that group may be readable by the group.
inline constexpr const char16_t *kStoreGroup = u"setia";

// A store directory shared by that group: it belongs to sharedGroup and is set-group-ID (mode
// 2770, as the packages make /var/lib/setia), so every file made in it belongs to the group.
// New key files there are made readable by the group (0640), new store files writable (0660).
bool isSharedStoreDirectory(const QString &dir, const QString &sharedGroup = QString::fromUtf16(kStoreGroup));
// The mode for a new key file at path: 0640 in a shared store directory, else 0600.
QFileDevice::Permissions newKeyFilePermissions(const QString &path, const QString &sharedGroup = QString::fromUtf16(kStoreGroup));

// A key file (the store's master key, a terminal's signing key) is private to its owner, or
// readable (never writable) by the members of sharedGroup when the file belongs to that group:
// how the cashier's desktop session and the setia-agent service open the same store. Any
// access by others, or by any other group, is refused with the chmod that fixes it.
Status checkKeyFilePermissions(const QString &path, const QString &sharedGroup = QString::fromUtf16(kStoreGroup));

class KeyRing {
public:
    // Loads the key file, or creates it when create is true and it does not exist.
    static Result<KeyRing> open(const QString &path, bool create,
                                const QString &sharedGroup = QString::fromUtf16(kStoreGroup));
    const QByteArray &wrapKey() const { return m_wrap; }
    // Keyed hash for an index column (hex), domain-separated by purpose.
    QString blindIndex(const QString &purpose, const QString &value) const;
    // The same with purpose and value already in UTF-8:
    // blindIndexUtf8(p.toUtf8(), v.toUtf8()) == blindIndex(p, v).
    QString blindIndexUtf8(QByteArrayView purpose, QByteArrayView value) const;
    QByteArray newMemberKey() const { return randomBytes(32); }
    QByteArray wrapMemberKey(const QString &memberId, const QByteArray &memberKey) const;
    Result<QByteArray> unwrapMemberKey(const QString &memberId, const QByteArray &wrapped) const;
    // A per-store secret for signing things the store issues (QR digital cards).
    QByteArray signingKey() const { return m_sign; }

private:
    QByteArray m_wrap, m_index, m_sign;
    // The index key's HMAC states, made on the first blindIndex() (m_index is set once, by
    // open()) and shared by the ring's copies.
    struct IndexMac {
        std::once_flag once;
        std::unique_ptr<const HmacSha256> mac;
    };
    std::shared_ptr<IndexMac> m_indexMac = std::make_shared<IndexMac>();
};

} // namespace setia
