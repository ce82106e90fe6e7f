// The test host's plugin interface, version 1.0.
#ifndef TESTABI_H_
#define TESTABI_H_

#include <string>

namespace testabi {

struct Request {
  int id;
  std::string text;
};

}  // namespace testabi

#endif  // TESTABI_H_
