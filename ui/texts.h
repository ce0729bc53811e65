#pragma once
// Words for people: core's error codes as sentences a cashier understands, translated.
#include "core/result.h"

#include <QCoreApplication>
#include <QString>

namespace setia::ui {

class Texts {
    Q_DECLARE_TR_FUNCTIONS(Texts)
public:
    // A translated sentence for an error; falls back to core's English message.
    static QString error(const Error &e);
};

} // namespace setia::ui
