#pragma once
// The documents the query-language fuzz targets evaluate their parsed input against: nested
// documents, arrays of arrays, mixed numeric types, strings, null, -0.0, a string _id and an
// empty document.
#include <vector>

#include "common/bson.h"

namespace mongosd::fuzz {

inline const std::vector<mongosd::BsonObj>& fixedDocuments() {
    static const std::vector<mongosd::BsonObj> docs = [] {
        std::vector<mongosd::BsonObj> out;
        mongosd::BsonBuilder a;
        a.appendInt32("_id", 1).appendInt32("a", 5).appendString("s", "apple");
        a.appendArray("t", [](mongosd::BsonBuilder& arr) {
            arr.appendInt32("0", 1).appendDouble("1", 2.5).appendString("2", "x");
        });
        out.push_back(a.obj());
        mongosd::BsonBuilder b;
        b.appendInt32("_id", 2).appendNull("a");
        b.appendArray("a2", [](mongosd::BsonBuilder& arr) {
            arr.appendArray("0", [](mongosd::BsonBuilder& inner) { inner.appendInt64("0", 7); });
            arr.appendDocument("1", [](mongosd::BsonBuilder& d) {
                d.appendInt32("b", 1).appendDocument(
                    "c", [](mongosd::BsonBuilder& c) { c.appendBool("d", true); });
            });
            arr.appendInt32("2", 3);
        });
        out.push_back(b.obj());
        mongosd::BsonBuilder c;
        c.appendString("_id", "three").appendDocument("a", [](mongosd::BsonBuilder& d) {
            d.appendArray("b", [](mongosd::BsonBuilder& arr) {
                arr.appendDocument("0", [](mongosd::BsonBuilder& e) { e.appendString("c", "Z"); });
                arr.appendDouble("1", -0.0);
            });
        });
        out.push_back(c.obj());
        out.push_back(mongosd::BsonObj());
        return out;
    }();
    return docs;
}

}  // namespace mongosd::fuzz
