// Applying a parsed projection: the three phases of projection_tree.h.
#include "query/projection.h"

#include <set>

#include "query/projection_tree.h"

namespace mongosd::query {
namespace {

using Kind = ProjectionNode::Kind;

// ---- Phase 1: copy or drop fields --------------------------------------------------------------

void projectFields(bson_iter_t* fields, const ProjectionNode& node, const ProjectionTree& t,
                   BsonBuilder& out);

// The sub-projection `node` applied to one value: documents recurse; arrays apply it to each
// element, nested arrays included (MongoDB's kRecurseNestedArrays, for find and $project alike);
// an inclusion drops other values, an exclusion keeps them.
void projectValue(const bson_iter_t& it, std::string_view name, const ProjectionNode& node,
                  const ProjectionTree& t, BsonBuilder& out) {
    if (BSON_ITER_HOLDS_DOCUMENT(&it)) {
        bson_iter_t sub;
        bson_iter_recurse(&it, &sub);
        out.appendDocument(name, [&](BsonBuilder& b) { projectFields(&sub, node, t, b); });
        return;
    }
    if (!BSON_ITER_HOLDS_ARRAY(&it)) {
        if (!t.inclusion) out.appendIter(name, it);
        return;
    }
    bson_iter_t elem;
    bson_iter_recurse(&it, &elem);
    out.appendArray(name, [&](BsonBuilder& arr) {
        uint32_t n = 0;
        char buf[16];
        while (bson_iter_next(&elem)) {
            if (BSON_ITER_HOLDS_DOCUMENT(&elem) || BSON_ITER_HOLDS_ARRAY(&elem))
                projectValue(elem, arrayIndexKey(n++, buf), node, t, arr);
            else if (!t.inclusion)
                arr.appendIter(arrayIndexKey(n++, buf), elem);
        }
    });
}

void projectFields(bson_iter_t* fields, const ProjectionNode& node, const ProjectionTree& t,
                   BsonBuilder& out) {
    while (bson_iter_next(fields)) {
        std::string_view key = iterKey(*fields);
        auto c = node.children.find(key);
        if (c == node.children.end()) {
            if (!t.inclusion) out.appendIter(key, *fields);
            continue;
        }
        switch (c->second.kind) {
            case Kind::kPath:
                projectValue(*fields, key, c->second, t, out);
                break;
            case Kind::kExclude:
                break;
            case Kind::kComputed:
            case Kind::kElemMatch:
                // Set in phase 2; an exclusion keeps the field's place.
                if (!t.inclusion) out.appendIter(key, *fields);
                break;
            case Kind::kInclude:
            case Kind::kSlice:
            case Kind::kPositional:
                out.appendIter(key, *fields);
                break;
        }
    }
}

// ---- Phase 2: computed fields -----------------------------------------------------------------

struct ComputeState {
    const ProjectionTree& tree;
    const Variables& vars;
    BsonView root;
};

// find's {name: {$elemMatch: ...}}: [the first element of root's array `name` that matches].
Value elemMatchValue(const ComputeState& s, std::string_view name, const MatchExpression& m) {
    bson_iter_t field, elem;
    if (!s.root.find(name, &field) || !BSON_ITER_HOLDS_ARRAY(&field)) return Value();
    bson_iter_recurse(&field, &elem);
    while (bson_iter_next(&elem)) {
        BsonBuilder probe;
        probe.appendArray(name, [&](BsonBuilder& arr) { arr.appendIter("0", elem); });
        if (m.matches(probe.obj().view())) return Value::array({Value::fromIter(elem)});
    }
    return Value();
}

StatusWith<Value> computeLeaf(const ComputeState& s, std::string_view name,
                              const ProjectionNode& leaf) {
    if (leaf.kind == Kind::kElemMatch) return elemMatchValue(s, name, *leaf.elemMatch);
    return leaf.expr->evaluate(s.vars);
}

Status computeFields(BsonView in, const ProjectionNode& node, const ComputeState& s,
                     BsonBuilder& out);

// Sets the computed fields below `node` in the value `it` (documents and, element by element,
// arrays); any other value is replaced by a document of the computed fields, as MongoDB does.
Status computeValue(const bson_iter_t* it, std::string_view name, const ProjectionNode& node,
                    const ComputeState& s, BsonBuilder& out) {
    Status st = Status::OK();
    if (it && BSON_ITER_HOLDS_ARRAY(it)) {
        bson_iter_t elem;
        bson_iter_recurse(it, &elem);
        out.appendArray(name, [&](BsonBuilder& arr) {
            uint32_t n = 0;
            char buf[16];
            while (st.isOK() && bson_iter_next(&elem))
                st = computeValue(&elem, arrayIndexKey(n++, buf), node, s, arr);
        });
        return st;
    }
    BsonView sub = it && BSON_ITER_HOLDS_DOCUMENT(it) ? subDocument(*it) : BsonView();
    out.appendDocument(name, [&](BsonBuilder& b) { st = computeFields(sub, node, s, b); });
    return st;
}

Status computeFields(BsonView in, const ProjectionNode& node, const ComputeState& s,
                     BsonBuilder& out) {
    std::set<std::string_view> seen;
    bson_iter_t it;
    in.iterInit(&it);
    while (bson_iter_next(&it)) {
        std::string_view key = iterKey(it);
        auto c = node.children.find(key);
        if (c == node.children.end() || !c->second.hasComputed) {
            out.appendIter(key, it);
            continue;
        }
        seen.insert(c->first);
        if (!c->second.computedLeaf()) {
            MONGOSD_RETURN_IF_ERROR(computeValue(&it, key, c->second, s, out));
            continue;
        }
        auto v = computeLeaf(s, key, c->second);
        if (!v.isOK()) return v.getStatus();
        v.getValue().appendTo(out, key);  // missing ($$REMOVE, no match) removes the field
    }
    for (const std::string& name : node.order) {
        const ProjectionNode& child = node.children.find(name)->second;
        if (!child.hasComputed || seen.count(name)) continue;
        if (!child.computedLeaf()) {
            MONGOSD_RETURN_IF_ERROR(computeValue(nullptr, name, child, s, out));
            continue;
        }
        auto v = computeLeaf(s, name, child);
        if (!v.isOK()) return v.getStatus();
        v.getValue().appendTo(out, name);
    }
    return Status::OK();
}

// ---- Phase 3: find's $slice and positional ---------------------------------------------------

void sliceArray(const bson_iter_t& arr, const ProjectionPostStep& step, BsonBuilder& out) {
    int64_t len = 0;
    bson_iter_t it;
    bson_iter_recurse(&arr, &it);
    while (bson_iter_next(&it)) ++len;
    int64_t start = 0, count = 0;
    int64_t limit = step.limit;
    if (!step.skip) {
        start = limit < 0 ? std::max<int64_t>(0, len + limit) : 0;
        count = limit < 0 ? len - start : std::min(len, limit);
    } else {
        int64_t skip = *step.skip;
        start = skip < 0 ? std::max<int64_t>(0, len + skip) : std::min(len, skip);
        count = std::min(len - start, limit);
    }
    bson_iter_recurse(&arr, &it);
    char buf[16];
    uint32_t n = 0;
    for (int64_t i = 0; bson_iter_next(&it) && i < start + count; ++i)
        if (i >= start) out.appendIter(arrayIndexKey(n++, buf), it);
}

void sliceFields(BsonView doc, const ProjectionPostStep& step, size_t i, BsonBuilder& out);

// The value at step.path[i]: sliced at the end of the path; arrays before it apply the rest of
// the path to their document elements.
void sliceValue(const bson_iter_t& v, std::string_view name, const ProjectionPostStep& step,
                size_t i, BsonBuilder& out) {
    bool last = i + 1 == step.path.size();
    if (BSON_ITER_HOLDS_ARRAY(&v)) {
        out.appendArray(name, [&](BsonBuilder& arr) {
            if (last) return sliceArray(v, step, arr);
            bson_iter_t elem;
            bson_iter_recurse(&v, &elem);
            char buf[16];
            for (uint32_t n = 0; bson_iter_next(&elem); ++n) {
                if (BSON_ITER_HOLDS_DOCUMENT(&elem))
                    arr.appendDocument(arrayIndexKey(n, buf), [&](BsonBuilder& b) {
                        sliceFields(subDocument(elem), step, i + 1, b);
                    });
                else
                    arr.appendIter(arrayIndexKey(n, buf), elem);
            }
        });
    } else if (BSON_ITER_HOLDS_DOCUMENT(&v) && !last) {
        out.appendDocument(name,
                           [&](BsonBuilder& b) { sliceFields(subDocument(v), step, i + 1, b); });
    } else {
        out.appendIter(name, v);
    }
}

void sliceFields(BsonView doc, const ProjectionPostStep& step, size_t i, BsonBuilder& out) {
    bson_iter_t it;
    doc.iterInit(&it);
    while (bson_iter_next(&it)) {
        if (iterKey(it) == step.path[i])
            sliceValue(it, iterKey(it), step, i, out);
        else
            out.appendIter(iterKey(it), it);
    }
}

// Replaces the first array on step.path with [its element at `pos`].
Status positionalFields(BsonView doc, const ProjectionPostStep& step, size_t i,
                        std::optional<size_t> pos, BsonBuilder& out) {
    Status st = Status::OK();
    bson_iter_t it;
    doc.iterInit(&it);
    while (st.isOK() && bson_iter_next(&it)) {
        std::string_view key = iterKey(it);
        if (key != step.path[i]) {
            out.appendIter(key, it);
        } else if (BSON_ITER_HOLDS_ARRAY(&it)) {
            if (!pos)
                return Status(ErrorCodes::Location51246,
                              "positional operator '.$' couldn't find a matching element in the "
                              "array");
            bson_iter_t elem;
            bson_iter_recurse(&it, &elem);
            size_t k = 0;
            bool found = false;
            while (!found && bson_iter_next(&elem)) found = k++ == *pos;
            if (!found)
                return Status(ErrorCodes::Location51247,
                              "positional operator '.$' element mismatch");
            out.appendArray(key, [&](BsonBuilder& arr) { arr.appendIter("0", elem); });
        } else if (BSON_ITER_HOLDS_DOCUMENT(&it) && i + 1 < step.path.size()) {
            out.appendDocument(key, [&](BsonBuilder& b) {
                st = positionalFields(subDocument(it), step, i + 1, pos, b);
            });
        } else {
            out.appendIter(key, it);
        }
    }
    return st;
}

StatusWith<BsonObj> applyPostStep(BsonObj doc, const ProjectionPostStep& step,
                                  const ProjectionContext& ctx) {
    BsonBuilder out;
    if (step.positional) {
        MONGOSD_RETURN_IF_ERROR(positionalFields(doc.view(), step, 0, ctx.matchedPosition, out));
    } else {
        sliceFields(doc.view(), step, 0, out);
    }
    return out.obj();
}

}  // namespace

StatusWith<Projection> Projection::parse(BsonView spec, ProjectionPolicy policy) {
    return parse(spec, policy, nullptr);
}

StatusWith<Projection> Projection::parse(BsonView spec, ProjectionPolicy policy,
                                         const Variables* scope) {
    auto tree = parseProjectionTree(spec, policy, scope);
    if (!tree.isOK()) return tree.getStatus();
    Projection p;
    const ProjectionTree& t = *tree.getValue();
    if (t.inclusion || !t.root.children.empty() || !t.postSteps.empty())
        p._tree = std::move(tree.getValue());
    for (const auto& step : t.postSteps) p._hasPositional |= step.positional;
    return p;
}

StatusWith<BsonObj> Projection::apply(BsonView doc, const ProjectionContext& ctx) const {
    if (!_tree) return BsonObj::copyOf(doc);
    const ProjectionTree& t = *_tree;
    BsonBuilder projected;
    bson_iter_t it;
    doc.iterInit(&it);
    projectFields(&it, t.root, t, projected);
    BsonObj out = projected.obj();
    if (t.root.hasComputed) {
        Variables vars(doc);
        vars.parent = ctx.variables;
        ComputeState state{t, vars, doc};
        BsonBuilder computed;
        MONGOSD_RETURN_IF_ERROR(computeFields(out.view(), t.root, state, computed));
        out = computed.obj();
    }
    for (const auto& step : t.postSteps) {
        auto next = applyPostStep(std::move(out), step, ctx);
        if (!next.isOK()) return next.getStatus();
        out = std::move(next.getValue());
    }
    return out;
}

}  // namespace mongosd::query
