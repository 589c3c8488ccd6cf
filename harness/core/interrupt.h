// Ctrl-C handling: the first SIGINT/SIGTERM sets a flag the engine checks between steps and
// while polling, so cleanup still runs; a second one during cleanup exits at once (130).
#pragma once

#include "core/duration.h"

namespace labctl::interrupt {

void install();
bool requested();
void request();  // tests, and the second-signal logic
void reset();    // tests
void set_cleaning(bool on);
// Sleeps up to d in small slices; false if interrupted meanwhile.
bool sleep_for(Millis d);

}  // namespace labctl::interrupt
