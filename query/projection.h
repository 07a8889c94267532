#pragma once
// Projection: which fields a query returns. The foundation supports MongoDB's inclusion and
// exclusion forms over top-level and dotted paths ({title: 1, "meta.level": 1} or {reviews: 0}),
// with _id included unless excluded. Mixing inclusion and exclusion (other than _id) is an
// error, as in MongoDB. Pure; an instance is immutable and shareable.

#include <map>
#include <string>

#include "common/bson.h"

namespace mongosd::query {

class Projection {
public:
    // An empty spec returns documents unchanged.
    static StatusWith<Projection> parse(BsonView spec);

    bool isIdentity() const { return !_inclusion && _root.children.empty() && _includeId; }
    BsonObj apply(BsonView doc) const;

    struct Node {
        bool leaf = false;  // a projected path ends here
        std::map<std::string, Node, std::less<>> children;
    };

private:
    bool _inclusion = false;
    bool _includeId = true;
    Node _root;
};

}  // namespace mongosd::query
