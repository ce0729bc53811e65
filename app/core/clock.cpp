#include "clock.h"

#include <QDateTime>
#include <openssl/rand.h>

#include <cstring>

namespace setia {

qint64 SystemClock::nowMs() const { return QDateTime::currentMSecsSinceEpoch(); }

quint64 Random::next64()
{
    quint64 v = 0;
    fill(&v, sizeof v);
    return v;
}

quint64 Random::below(quint64 bound)
{
    if (bound <= 1)
        return 0;
    // Rejection sampling to avoid modulo bias.
    const quint64 limit = ~quint64(0) - (~quint64(0) % bound);
    quint64 v = 0;
    do {
        v = next64();
    } while (v >= limit);
    return v % bound;
}

void SecureRandom::fill(void *buffer, std::size_t size)
{
    if (RAND_bytes(static_cast<unsigned char *>(buffer), int(size)) != 1)
        qFatal("OpenSSL RAND_bytes failed: no secure randomness available");
}

void SeededRandom::fill(void *buffer, std::size_t size)
{
    auto *out = static_cast<unsigned char *>(buffer);
    while (size > 0) {
        m_state += 0x9E3779B97F4A7C15ULL;
        quint64 z = m_state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        z ^= z >> 31;
        const std::size_t n = size < sizeof z ? size : sizeof z;
        std::memcpy(out, &z, n);
        out += n;
        size -= n;
    }
}

} // namespace setia
