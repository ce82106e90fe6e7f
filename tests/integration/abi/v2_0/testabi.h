// Version 2.0: Request was redesigned.
#ifndef TESTABI_H_
#define TESTABI_H_

#include <string>
#include <vector>

namespace testabi {

struct Request {
  std::vector<std::string> lines;
};

}  // namespace testabi

#endif  // TESTABI_H_
