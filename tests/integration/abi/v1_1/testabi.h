// The test host's plugin interface, version 1.1.
#ifndef TESTABI_H_
#define TESTABI_H_

#include <string>

namespace testabi {

struct Request {
  int id;
  std::string text;
};

// Added in 1.1: plugins built against 1.0 never call it.
int Priority(const Request& request);

}  // namespace testabi

#endif  // TESTABI_H_
