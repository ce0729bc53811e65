#pragma once
// Time and randomness are injected so that tests can fix them.
#include <QtGlobal>
#include <atomic>
#include <cstddef>

namespace setia {

class Clock {
public:
    virtual ~Clock() = default;
    // Milliseconds since the Unix epoch, UTC.
    virtual qint64 nowMs() const = 0;
};

class SystemClock final : public Clock {
public:
    qint64 nowMs() const override;
};

class ManualClock final : public Clock {
public:
    explicit ManualClock(qint64 ms = 0) : m_ms(ms) {}
    qint64 nowMs() const override { return m_ms.load(); }
    void set(qint64 ms) { m_ms.store(ms); }
    void advance(qint64 ms) { m_ms.fetch_add(ms); }

private:
    std::atomic<qint64> m_ms;
};

class Random {
public:
    virtual ~Random() = default;
    virtual void fill(void *buffer, std::size_t size) = 0;
    quint64 next64();
    // Uniform in [0, bound).
    quint64 below(quint64 bound);
};

// Cryptographically secure, from OpenSSL's RAND_bytes.
class SecureRandom final : public Random {
public:
    void fill(void *buffer, std::size_t size) override;
};

// Deterministic (splitmix64), for tests and generators. Not for keys.
class SeededRandom final : public Random {
public:
    explicit SeededRandom(quint64 seed) : m_state(seed) {}
    void fill(void *buffer, std::size_t size) override;

private:
    quint64 m_state;
};

} // namespace setia
