// fake-pool entry point; everything lives in the library so tests can link it.
#include "pool.hpp"

int main(int argc, char** argv) { return fakepool::run(argc, argv); }
