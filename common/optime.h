#pragma once
// Timestamp and OpTime: the position of a write in the oplog.
//
//  - Timestamp is MongoDB's BSON Timestamp: seconds since the epoch plus an increment that
//    orders writes within one second. Packed as (secs << 32 | inc) it is the 64-bit commit
//    timestamp handed to WiredTiger and the big-endian oplog key, so packed order == time order.
//  - OpTime adds the replica-set term. MongoDB orders optimes by term first, then timestamp:
//    an entry written by a later primary wins even if its clock is behind.
//
// Plain values; any thread.

#include <compare>
#include <cstdint>
#include <string>

namespace mongosd {

struct Timestamp {
    uint32_t secs = 0;
    uint32_t inc = 0;

    constexpr uint64_t asULL() const { return (uint64_t(secs) << 32) | inc; }
    static constexpr Timestamp fromULL(uint64_t v) {
        return Timestamp{uint32_t(v >> 32), uint32_t(v & 0xffffffffu)};
    }
    constexpr bool isNull() const { return secs == 0 && inc == 0; }

    friend constexpr bool operator==(const Timestamp& a, const Timestamp& b) {
        return a.asULL() == b.asULL();
    }
    friend constexpr auto operator<=>(const Timestamp& a, const Timestamp& b) {
        return a.asULL() <=> b.asULL();
    }

    // "Timestamp(secs, inc)", as the shell prints it.
    std::string toString() const;
};

struct OpTime {
    Timestamp ts;
    int64_t term = 0;

    constexpr bool isNull() const { return ts.isNull() && term == 0; }

    friend constexpr bool operator==(const OpTime& a, const OpTime& b) {
        return a.term == b.term && a.ts == b.ts;
    }
    friend constexpr auto operator<=>(const OpTime& a, const OpTime& b) {
        if (auto c = a.term <=> b.term; c != 0) return c;
        return a.ts <=> b.ts;
    }

    // "{ ts: Timestamp(secs, inc), t: term }".
    std::string toString() const;
};

}  // namespace mongosd
