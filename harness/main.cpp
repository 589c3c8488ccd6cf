// labctl's entry point: everything lives in the library (app/), shared with the tests.
#include <iostream>

#include "app/app.h"
#include "core/interrupt.h"

int main(int argc, char** argv) {
  labctl::interrupt::install();
  return labctl::app::run(argc, argv, std::cout, std::cerr);
}
