// fake-miner entry point; everything lives in the library so tests can link it.
#include "miner.hpp"

int main(int argc, char** argv) { return fakeminer::run(argc, argv); }
