#include "scan.h"

using namespace Qt::StringLiterals;

namespace setia {

QString sourceName(Scan::Source source)
{
    switch (source) {
    case Scan::Source::KeyboardWedge: return u"keyboard-wedge"_s;
    case Scan::Source::HidScanner: return u"hid-scanner"_s;
    case Scan::Source::MagStripe: return u"magstripe"_s;
    case Scan::Source::Camera: return u"camera"_s;
    case Scan::Source::Contactless: return u"contactless"_s;
    case Scan::Source::Virtual: return u"virtual"_s;
    case Scan::Source::Manual: return u"manual"_s;
    }
    return {};
}

} // namespace setia
