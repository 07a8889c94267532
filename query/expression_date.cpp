#include "query/expression_internal.h"

namespace mongosd::query::expr {

void registerDateOperators() {}

}  // namespace mongosd::query::expr
