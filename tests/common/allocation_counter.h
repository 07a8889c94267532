#pragma once
// Heap allocations made through operator new so far, by any thread, in common_tests. Lets a
// test check that a code path does not allocate. allocation_counter.cpp replaces the global
// operator new/delete of the test binary to count; it changes nothing else.

namespace mongosd {
long allocationCount();
}  // namespace mongosd
