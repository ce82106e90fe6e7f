// The interface shared by the greeter host and its plugins: a host ABI.
#ifndef SAMPLES_GREETER_GREETER_H_
#define SAMPLES_GREETER_GREETER_H_

#include <memory>
#include <string>

namespace greeter {

class Greeter {
 public:
  virtual ~Greeter() = default;
  virtual std::string Greet(const std::string& name) const = 0;
};

// What every greeter plugin exports as "NewGreeter".
using Factory = std::unique_ptr<Greeter>();

}  // namespace greeter

#endif  // SAMPLES_GREETER_GREETER_H_
