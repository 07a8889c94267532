// The accumulators that are also expressions ({$sum: "$arr"}, {$max: ["$a", "$b"]}): one
// array argument folds its elements, several arguments fold themselves (arrays among them are
// values), with the $group accumulators' rules (accumulators.h).
#include "query/accumulators.h"
#include "query/expression_internal.h"

namespace mongosd::query::expr {
namespace {

NaryFn foldWith(std::string name) {
    return [name](const std::vector<Value>& args) -> StatusWith<Value> {
        auto acc = (*accumulatorFactory(name))();
        if (args.size() == 1 && args[0].isArray()) {
            for (const auto& v : args[0].arrayElements()) acc->process(v);
        } else {
            for (const auto& v : args) acc->process(v);
        }
        return acc->finish();
    };
}

}  // namespace

void registerAccumulatorOperators() {
    for (const char* name : {"$sum", "$avg", "$min", "$max", "$stdDevPop", "$stdDevSamp"})
        registerNary(name, 1, -1, foldWith(name));
}

}  // namespace mongosd::query::expr
