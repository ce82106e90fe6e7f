// A greeter plugin that speaks English.
#include <memory>
#include <string>

#include "greeter.h"
#include "preload/plugin.h"

namespace {

class English final : public greeter::Greeter {
 public:
  std::string Greet(const std::string& name) const override {
    return "Hello, " + name + "!";
  }
};

}  // namespace

std::unique_ptr<greeter::Greeter> NewGreeter() {
  return std::make_unique<English>();
}
PRELOAD_EXPORT(NewGreeter);
