// Version 1.1 edited without a version bump: a field changed type, so a
// plugin built against it reads Request at the wrong offsets.
#ifndef TESTABI_H_
#define TESTABI_H_

#include <string>

namespace testabi {

struct Request {
  long id;
  std::string text;
};

int Priority(const Request& request);

}  // namespace testabi

#endif  // TESTABI_H_
