#pragma once
// Cryptography through OpenSSL 3: SHA-256, HMAC-SHA-256, AES-256-GCM, scrypt, and the
// store's key file. Personal data is encrypted with a per-member key (crypto-shredding:
// erasing a member destroys its key, so every copy of the ciphertext, in backups and in the
// ledger, becomes unreadable without rewriting history).
#include "result.h"

#include <QByteArray>
#include <QString>

namespace setia {

QByteArray sha256(const QByteArray &data);
QString sha256Hex(const QByteArray &data);
QByteArray hmacSha256(const QByteArray &key, const QByteArray &data);
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
class KeyRing {
public:
    // Loads the key file, or creates it when create is true and it does not exist.
    static Result<KeyRing> open(const QString &path, bool create);
    const QByteArray &wrapKey() const { return m_wrap; }
    // Keyed hash for an index column (hex), domain-separated by purpose.
    QString blindIndex(const QString &purpose, const QString &value) const;
    QByteArray newMemberKey() const { return randomBytes(32); }
    QByteArray wrapMemberKey(const QString &memberId, const QByteArray &memberKey) const;
    Result<QByteArray> unwrapMemberKey(const QString &memberId, const QByteArray &wrapped) const;
    // A per-store secret for signing things the store issues (QR digital cards).
    QByteArray signingKey() const { return m_sign; }

private:
    QByteArray m_wrap, m_index, m_sign;
};

} // namespace setia
