#include "query/expression_internal.h"

namespace mongosd::query::expr {

void registerArrayOperators() {}

}  // namespace mongosd::query::expr
