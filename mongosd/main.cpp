#include <cstdio>
int main() { std::puts("mongosd"); return 0; }
