#pragma once
// Expected failures are values. Result<T> carries either a value or an Error with a stable
// machine code and a sentence for a person. Exceptions never cross module boundaries.
#include <QString>
#include <optional>
#include <utility>
#include <variant>

namespace setia {

struct Error {
    QString code;    // stable, machine-readable: "unknown_card", "insufficient_points", ...
    QString message; // one sentence for a person: what is wrong and what to do
};

template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : m_v(std::move(value)) {}              // NOLINT(google-explicit-constructor)
    Result(Error error) : m_v(std::move(error)) {}          // NOLINT(google-explicit-constructor)
    bool ok() const { return std::holds_alternative<T>(m_v); }
    explicit operator bool() const { return ok(); }
    const T &value() const & { return std::get<T>(m_v); }
    T &value() & { return std::get<T>(m_v); }
    T &&value() && { return std::get<T>(std::move(m_v)); }
    const T *operator->() const { return &std::get<T>(m_v); }
    const T &operator*() const { return std::get<T>(m_v); }
    const Error &error() const { return std::get<Error>(m_v); }

private:
    std::variant<T, Error> m_v;
};

struct Ok {};
using Status = Result<Ok>;

inline Error makeError(QString code, QString message) { return Error{std::move(code), std::move(message)}; }

} // namespace setia
