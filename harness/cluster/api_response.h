// What one GET by the API client (cluster/api.h) brought back. Apart from api.h so that
// kubectl.h, included nearly everywhere, does not pull the client and Result<T> in with it.
#pragma once

#include <string>

#include "core/duration.h"

namespace labctl::cluster {

struct ApiResponse {
  long status = 0;         // HTTP status; 0 when no answer came (see error)
  std::string body;
  std::string error;       // transport problem (connect, TLS, timeout), curl's words
  bool timed_out = false;
  std::string url;         // what was requested, for reports
  Millis elapsed{0};
  bool ok() const { return error.empty() && status >= 200 && status < 300; }
};

}  // namespace labctl::cluster
