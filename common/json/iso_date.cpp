#include "common/json/iso_date.h"

#include "common/invariant.h"

namespace mongosd::json {
namespace {

constexpr int64_t kMsPerDay = 86'400'000;

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
int64_t daysFromCivil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

struct Civil {
    int64_t year;
    unsigned month, day;
};

// The inverse of daysFromCivil.
Civil civilFromDays(int64_t z) {
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    return {static_cast<int64_t>(yoe) + era * 400 + (m <= 2), m, d};
}

bool isLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned daysInMonth(int64_t y, unsigned m) {
    static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && isLeap(y) ? 29 : kDays[m - 1];
}

// A cursor over the text that reads fixed-width digit groups.
class Reader {
public:
    explicit Reader(std::string_view s) : _s(s) {}
    bool done() const { return _pos == _s.size(); }
    bool peek(char c) const { return _pos < _s.size() && _s[_pos] == c; }
    bool eat(char c) {
        if (!peek(c)) return false;
        ++_pos;
        return true;
    }
    bool digits(int n, unsigned& out) {
        out = 0;
        for (int i = 0; i < n; ++i) {
            if (_pos >= _s.size() || _s[_pos] < '0' || _s[_pos] > '9') return false;
            out = out * 10 + static_cast<unsigned>(_s[_pos++] - '0');
        }
        return true;
    }
    // Reads one or more digits, keeping the first three as milliseconds (zero-padded).
    bool fractionMs(unsigned& ms) {
        ms = 0;
        int n = 0;
        while (_pos < _s.size() && _s[_pos] >= '0' && _s[_pos] <= '9') {
            if (n < 3) ms = ms * 10 + static_cast<unsigned>(_s[_pos] - '0');
            ++n;
            ++_pos;
        }
        for (int i = n; i < 3; ++i) ms *= 10;
        return n > 0;
    }

private:
    std::string_view _s;
    size_t _pos = 0;
};

// Parses the zone designator into an offset in minutes east of UTC.
bool parseZone(Reader& r, int& offsetMin) {
    if (r.eat('Z')) {
        offsetMin = 0;
        return true;
    }
    int sign = r.eat('+') ? 1 : (r.eat('-') ? -1 : 0);
    if (sign == 0) return false;
    unsigned hh = 0, mm = 0;
    if (!r.digits(2, hh)) return false;
    if (!r.done()) {
        r.eat(':');
        if (!r.digits(2, mm)) return false;
    }
    if (hh > 23 || mm > 59) return false;
    offsetMin = sign * static_cast<int>(hh * 60 + mm);
    return true;
}

void put2(char* p, unsigned v) {
    p[0] = static_cast<char>('0' + v / 10);
    p[1] = static_cast<char>('0' + v % 10);
}

}  // namespace

std::optional<int64_t> parseIsoDate(std::string_view s) {
    Reader r(s);
    unsigned y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, ms = 0;
    if (!r.digits(4, y) || !r.eat('-') || !r.digits(2, mo) || !r.eat('-') || !r.digits(2, d))
        return std::nullopt;
    if (!r.eat('T') || !r.digits(2, h) || !r.eat(':') || !r.digits(2, mi)) return std::nullopt;
    if (r.eat(':')) {
        if (!r.digits(2, sec)) return std::nullopt;
        if (r.eat('.') && !r.fractionMs(ms)) return std::nullopt;
    }
    int offsetMin = 0;
    if (!parseZone(r, offsetMin) || !r.done()) return std::nullopt;
    if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || sec > 59)
        return std::nullopt;
    int64_t days = daysFromCivil(y, mo, d);
    int64_t msOfDay = ((int64_t{h} * 60 + mi) * 60 + sec) * 1000 + ms;
    return days * kMsPerDay + msOfDay - int64_t{offsetMin} * 60'000;
}

void appendIsoDate(int64_t ms, std::string& out) {
    invariant(ms >= kMinIsoDateMs && ms <= kMaxIsoDateMs);
    int64_t days = ms / kMsPerDay;
    auto msOfDay = static_cast<unsigned>(ms % kMsPerDay);
    Civil c = civilFromDays(days);
    char buf[24];  // YYYY-MM-DDTHH:MM:SS.mmmZ
    auto year = static_cast<unsigned>(c.year);
    put2(buf, year / 100);
    put2(buf + 2, year % 100);
    buf[4] = '-';
    put2(buf + 5, c.month);
    buf[7] = '-';
    put2(buf + 8, c.day);
    buf[10] = 'T';
    put2(buf + 11, msOfDay / 3'600'000);
    buf[13] = ':';
    put2(buf + 14, msOfDay / 60'000 % 60);
    buf[16] = ':';
    put2(buf + 17, msOfDay / 1000 % 60);
    buf[19] = '.';
    unsigned milli = msOfDay % 1000;
    buf[20] = static_cast<char>('0' + milli / 100);
    put2(buf + 21, milli % 100);
    buf[23] = 'Z';
    out.append(buf, sizeof(buf));
}

}  // namespace mongosd::json
