#include "crypto.h"

#include <QFile>
#include <QFileInfo>
#include <QDir>
#include <QSaveFile>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>

#include <memory>

using namespace Qt::StringLiterals;

namespace setia {

QByteArray sha256(const QByteArray &data)
{
    QByteArray out(32, Qt::Uninitialized);
    unsigned int len = 0;
    // Fetched once: EVP_sha256() makes OpenSSL 3 look the algorithm up again on every call.
    static EVP_MD *const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    EVP_Digest(data.constData(), size_t(data.size()), reinterpret_cast<unsigned char *>(out.data()), &len,
               md ? md : EVP_sha256(), nullptr);
    return out;
}

QString sha256Hex(const QByteArray &data) { return QString::fromLatin1(sha256(data).toHex()); }

QByteArray hmacSha256(const QByteArray &key, const QByteArray &data)
{
    QByteArray out(32, Qt::Uninitialized);
    unsigned int len = 32;
    HMAC(EVP_sha256(), key.constData(), int(key.size()), reinterpret_cast<const unsigned char *>(data.constData()),
         size_t(data.size()), reinterpret_cast<unsigned char *>(out.data()), &len);
    return out;
}

QByteArray randomBytes(int n)
{
    QByteArray out(n, Qt::Uninitialized);
    if (RAND_bytes(reinterpret_cast<unsigned char *>(out.data()), n) != 1)
        qFatal("OpenSSL RAND_bytes failed");
    return out;
}

namespace {
struct CtxDeleter {
    void operator()(EVP_CIPHER_CTX *c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CtxDeleter>;
constexpr int kNonce = 12;
constexpr int kTag = 16;
auto *u8(QByteArray &b) { return reinterpret_cast<unsigned char *>(b.data()); }
auto *cu8(const QByteArray &b) { return reinterpret_cast<const unsigned char *>(b.constData()); }
} // namespace

QByteArray aesGcmEncrypt(const QByteArray &key, const QByteArray &plaintext, const QByteArray &aad)
{
    Q_ASSERT(key.size() == 32);
    QByteArray nonce = randomBytes(kNonce);
    QByteArray out = nonce;
    out.resize(kNonce + plaintext.size() + kTag);
    CipherCtx ctx(EVP_CIPHER_CTX_new());
    int len = 0;
    EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, cu8(key), cu8(nonce));
    if (!aad.isEmpty())
        EVP_EncryptUpdate(ctx.get(), nullptr, &len, cu8(aad), int(aad.size()));
    EVP_EncryptUpdate(ctx.get(), u8(out) + kNonce, &len, cu8(plaintext), int(plaintext.size()));
    EVP_EncryptFinal_ex(ctx.get(), u8(out) + kNonce + len, &len);
    EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTag, u8(out) + kNonce + plaintext.size());
    return out;
}

Result<QByteArray> aesGcmDecrypt(const QByteArray &key, const QByteArray &sealed, const QByteArray &aad)
{
    if (key.size() != 32 || sealed.size() < kNonce + kTag)
        return makeError(u"decrypt_failed"_s, u"The encrypted value is too short or the key is missing."_s);
    const qsizetype n = sealed.size() - kNonce - kTag;
    QByteArray plain(n, Qt::Uninitialized);
    CipherCtx ctx(EVP_CIPHER_CTX_new());
    int len = 0;
    EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, cu8(key), cu8(sealed));
    if (!aad.isEmpty())
        EVP_DecryptUpdate(ctx.get(), nullptr, &len, cu8(aad), int(aad.size()));
    EVP_DecryptUpdate(ctx.get(), u8(plain), &len, cu8(sealed) + kNonce, int(n));
    QByteArray tag = sealed.right(kTag);
    EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTag, tag.data());
    if (EVP_DecryptFinal_ex(ctx.get(), u8(plain) + len, &len) != 1)
        return makeError(u"decrypt_failed"_s, u"The encrypted value does not match the key (tampered or wrong key file)."_s);
    return plain;
}

namespace {
// Interactive-login strength that stays under ~100 ms on a till: N=2^15, r=8, p=1 (32 MiB).
constexpr quint64 kScryptN = 1u << 15;
constexpr quint64 kScryptR = 8;
constexpr quint64 kScryptP = 1;

QByteArray scrypt(const QByteArray &secret, const QByteArray &salt, quint64 N, quint64 r, quint64 p)
{
    QByteArray out(32, Qt::Uninitialized);
    if (EVP_PBE_scrypt(secret.constData(), size_t(secret.size()), cu8(salt), size_t(salt.size()), N, r, p,
                       64ull * 1024 * 1024, u8(out), size_t(out.size()))
        != 1)
        return {};
    return out;
}
} // namespace

QString hashSecret(const QString &secret)
{
    const QByteArray salt = randomBytes(16);
    const QByteArray h = scrypt(secret.toUtf8(), salt, kScryptN, kScryptR, kScryptP);
    return u"scrypt$%1$%2$%3$%4$%5"_s.arg(kScryptN).arg(kScryptR).arg(kScryptP)
        .arg(QString::fromLatin1(salt.toBase64()), QString::fromLatin1(h.toBase64()));
}

bool verifySecret(const QString &secret, const QString &encoded)
{
    const QStringList parts = encoded.split(u'$');
    if (parts.size() != 6 || parts[0] != u"scrypt"_s)
        return false;
    const quint64 N = parts[1].toULongLong(), r = parts[2].toULongLong(), p = parts[3].toULongLong();
    if (N < 2 || N > (1u << 20) || r == 0 || r > 32 || p == 0 || p > 16)
        return false;
    const QByteArray salt = QByteArray::fromBase64(parts[4].toLatin1());
    const QByteArray expected = QByteArray::fromBase64(parts[5].toLatin1());
    const QByteArray got = scrypt(secret.toUtf8(), salt, N, r, p);
    return got.size() == expected.size() && !got.isEmpty()
        && CRYPTO_memcmp(got.constData(), expected.constData(), size_t(got.size())) == 0;
}

Result<KeyRing> KeyRing::open(const QString &path, bool create)
{
    QByteArray master;
    QFile f(path);
    if (f.exists()) {
        const auto perms = f.permissions();
        if (perms & (QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::WriteGroup | QFileDevice::WriteOther))
            return makeError(u"key_permissions"_s,
                             u"The key file %1 can be read by other users; run: chmod 600 %1"_s.arg(path));
        if (!f.open(QIODevice::ReadOnly))
            return makeError(u"key_unreadable"_s, u"Cannot read the key file %1: %2"_s.arg(path, f.errorString()));
        master = QByteArray::fromHex(f.readAll().trimmed());
        if (master.size() != 32)
            return makeError(u"key_corrupt"_s, u"The key file %1 does not hold a 256-bit key."_s.arg(path));
    } else {
        if (!create)
            return makeError(u"key_missing"_s,
                             u"The key file %1 is missing; personal data cannot be read without it. Restore it from the store's key backup."_s
                                 .arg(path));
        QDir().mkpath(QFileInfo(path).absolutePath());
        master = randomBytes(32);
        QSaveFile out(path);
        if (!out.open(QIODevice::WriteOnly))
            return makeError(u"key_unwritable"_s, u"Cannot create the key file %1: %2"_s.arg(path, out.errorString()));
        out.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        out.write(master.toHex() + '\n');
        if (!out.commit())
            return makeError(u"key_unwritable"_s, u"Cannot write the key file %1: %2"_s.arg(path, out.errorString()));
        QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    }
    KeyRing ring;
    ring.m_wrap = hmacSha256(master, "setia/v1/wrap");
    ring.m_index = hmacSha256(master, "setia/v1/index");
    ring.m_sign = hmacSha256(master, "setia/v1/sign");
    return ring;
}

QString KeyRing::blindIndex(const QString &purpose, const QString &value) const
{
    return QString::fromLatin1(hmacSha256(m_index, purpose.toUtf8() + '\0' + value.toUtf8()).toHex().left(32));
}

QByteArray KeyRing::wrapMemberKey(const QString &memberId, const QByteArray &memberKey) const
{
    return aesGcmEncrypt(m_wrap, memberKey, "member-key:" + memberId.toUtf8());
}

Result<QByteArray> KeyRing::unwrapMemberKey(const QString &memberId, const QByteArray &wrapped) const
{
    return aesGcmDecrypt(m_wrap, wrapped, "member-key:" + memberId.toUtf8());
}

} // namespace setia
