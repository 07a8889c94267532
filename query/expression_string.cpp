#include "query/expression_internal.h"

namespace mongosd::query::expr {

void registerStringOperators() {}

}  // namespace mongosd::query::expr
