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

#include <cstring>
#include <memory>

#include <sys/stat.h>

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

namespace {
// Fetched once: EVP_sha256() makes OpenSSL 3 look the algorithm up again on every use.
const EVP_MD *sha256Md()
{
    static EVP_MD *const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return md ? md : EVP_sha256();
}

constexpr int kShaBlock = 64;
constexpr int kShaSize = 32;

struct MdCtxDeleter {
    void operator()(EVP_MD_CTX *c) const { EVP_MD_CTX_free(c); }
};
} // namespace

// RFC 2104: H((K ^ opad) | H((K ^ ipad) | data)), K the key zero-padded to the block (a key
// longer than a block is hashed first). The two states after (K ^ ipad) and (K ^ opad) are kept.
HmacSha256::HmacSha256(const QByteArray &key) : m_key(key)
{
    QByteArray k = key.size() > kShaBlock ? sha256(key) : key;
    k.resize(kShaBlock, '\0');
    QByteArray ipad(kShaBlock, Qt::Uninitialized), opad(kShaBlock, Qt::Uninitialized);
    for (int i = 0; i < kShaBlock; ++i) {
        ipad[i] = char(k[i] ^ 0x36);
        opad[i] = char(k[i] ^ 0x5c);
    }
    std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> inner(EVP_MD_CTX_new()), outer(EVP_MD_CTX_new());
    const bool ok = inner && outer && EVP_DigestInit_ex2(inner.get(), sha256Md(), nullptr) == 1
        && EVP_DigestUpdate(inner.get(), ipad.constData(), kShaBlock) == 1
        && EVP_DigestInit_ex2(outer.get(), sha256Md(), nullptr) == 1
        && EVP_DigestUpdate(outer.get(), opad.constData(), kShaBlock) == 1;
    OPENSSL_cleanse(k.data(), size_t(k.size()));
    OPENSSL_cleanse(ipad.data(), size_t(ipad.size()));
    OPENSSL_cleanse(opad.data(), size_t(opad.size()));
    if (ok) { // otherwise mac() takes the one-shot path
        m_inner = inner.release();
        m_outer = outer.release();
    }
}

HmacSha256::~HmacSha256()
{
    EVP_MD_CTX_free(m_inner);
    EVP_MD_CTX_free(m_outer);
}

void HmacSha256::mac(QByteArrayView data, unsigned char *out) const
{
    // One scratch context per thread: copying a state into it reuses its allocation.
    thread_local std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> scratch(EVP_MD_CTX_new());
    EVP_MD_CTX *c = scratch.get();
    unsigned char innerHash[kShaSize];
    unsigned int len = 0;
    if (m_inner && c && EVP_MD_CTX_copy_ex(c, m_inner) == 1 && EVP_DigestUpdate(c, data.data(), size_t(data.size())) == 1
        && EVP_DigestFinal_ex(c, innerHash, &len) == 1 && EVP_MD_CTX_copy_ex(c, m_outer) == 1
        && EVP_DigestUpdate(c, innerHash, kShaSize) == 1 && EVP_DigestFinal_ex(c, out, &len) == 1)
        return;
    len = kShaSize;
    HMAC(EVP_sha256(), m_key.constData(), int(m_key.size()), reinterpret_cast<const unsigned char *>(data.data()),
         size_t(data.size()), out, &len);
}

QByteArray HmacSha256::mac(QByteArrayView data) const
{
    QByteArray out(kShaSize, Qt::Uninitialized);
    mac(data, reinterpret_cast<unsigned char *>(out.data()));
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
// Fetched once, as sha256Md(): EVP_aes_256_gcm() makes OpenSSL 3 look it up on every call
// (two decryptions a member in a first pull: its key, then its profile).
const EVP_CIPHER *aes256gcm()
{
    static EVP_CIPHER *const cipher = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
    return cipher ? cipher : EVP_aes_256_gcm();
}
} // namespace

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
    EVP_EncryptInit_ex(ctx.get(), aes256gcm(), nullptr, cu8(key), cu8(nonce));
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
    EVP_DecryptInit_ex(ctx.get(), aes256gcm(), nullptr, cu8(key), cu8(sealed));
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

bool isSharedStoreDirectory(const QString &dir, const QString &sharedGroup)
{
    struct stat st {};
    return !sharedGroup.isEmpty() && ::stat(QFile::encodeName(dir).constData(), &st) == 0 && S_ISDIR(st.st_mode)
        && (st.st_mode & S_ISGID) && QFileInfo(dir).group() == sharedGroup;
}

QFileDevice::Permissions newKeyFilePermissions(const QString &path, const QString &sharedGroup)
{
    QFileDevice::Permissions p = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
    if (isSharedStoreDirectory(QFileInfo(path).absolutePath(), sharedGroup))
        p |= QFileDevice::ReadGroup;
    return p;
}

Status checkKeyFilePermissions(const QString &path, const QString &sharedGroup)
{
    const QFileInfo info(path);
    const auto perms = info.permissions();
    const bool others = perms & (QFileDevice::ReadOther | QFileDevice::WriteOther | QFileDevice::ExeOther);
    const bool groupWrite = perms & (QFileDevice::WriteGroup | QFileDevice::ExeGroup);
    const bool groupRead = perms & QFileDevice::ReadGroup;
    const bool sharedOk = !sharedGroup.isEmpty() && info.group() == sharedGroup;
    if (others || groupWrite || (groupRead && !sharedOk))
        return makeError(u"key_permissions"_s,
                         sharedOk ? u"The key file %1 can be read or changed by other users; run: chmod 640 %1"_s.arg(path)
                                  : u"The key file %1 can be read by other users; run: chmod 600 %1"_s.arg(path));
    return Ok{};
}

Result<KeyRing> KeyRing::open(const QString &path, bool create, const QString &sharedGroup)
{
    QByteArray master;
    QFile f(path);
    if (f.exists()) {
        if (auto st = checkKeyFilePermissions(path, sharedGroup); !st)
            return st.error();
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
        const auto mode = newKeyFilePermissions(path, sharedGroup);
        out.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        out.write(master.toHex() + '\n');
        if (!out.commit())
            return makeError(u"key_unwritable"_s, u"Cannot write the key file %1: %2"_s.arg(path, out.errorString()));
        QFile::setPermissions(path, mode);
    }
    KeyRing ring;
    ring.m_wrap = hmacSha256(master, "setia/v1/wrap");
    ring.m_index = hmacSha256(master, "setia/v1/index");
    ring.m_sign = hmacSha256(master, "setia/v1/sign");
    return ring;
}

QString KeyRing::blindIndex(const QString &purpose, const QString &value) const
{
    return blindIndexUtf8(purpose.toUtf8(), value.toUtf8());
}

// The first 16 bytes of HMAC(index key, purpose | 0 | value), in lower-case hex.
QString KeyRing::blindIndexUtf8(QByteArrayView purpose, QByteArrayView value) const
{
    // Purposes and name prefixes are short: the message fits on the stack.
    char small[128];
    QByteArray large;
    const qsizetype size = purpose.size() + 1 + value.size();
    char *msg = small;
    if (size > qsizetype(sizeof small)) {
        large.resize(size);
        msg = large.data();
    }
    std::memcpy(msg, purpose.data(), size_t(purpose.size()));
    msg[purpose.size()] = '\0';
    std::memcpy(msg + purpose.size() + 1, value.data(), size_t(value.size()));
    unsigned char mac[kShaSize];
    if (m_indexMac) {
        std::call_once(m_indexMac->once, [this] { m_indexMac->mac = std::make_unique<const HmacSha256>(m_index); });
        m_indexMac->mac->mac(QByteArrayView(msg, size), mac);
    } else { // a moved-from ring
        const QByteArray out = hmacSha256(m_index, QByteArray(msg, size));
        std::memcpy(mac, out.constData(), kShaSize);
    }
    static constexpr char16_t hex[] = u"0123456789abcdef";
    QString out(32, Qt::Uninitialized);
    char16_t *o = reinterpret_cast<char16_t *>(out.data());
    for (int i = 0; i < 16; ++i) {
        o[2 * i] = hex[mac[i] >> 4];
        o[2 * i + 1] = hex[mac[i] & 0xf];
    }
    return out;
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
