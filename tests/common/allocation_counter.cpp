// Kept out of the *_test.cpp files so the compiler never inlines these replacements next to
// library code (which makes GCC warn about malloc/free pairing it cannot see through).

#include "tests/common/allocation_counter.h"

#include <atomic>
#include <cstdlib>
#include <new>

namespace {
std::atomic<long> gAllocations{0};
}  // namespace

void* operator new(std::size_t n) {
    gAllocations.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace mongosd {
long allocationCount() { return gAllocations.load(std::memory_order_relaxed); }
}  // namespace mongosd
