// A greeter plugin that speaks Chinese, and checks its environment first.
#include <memory>
#include <string>

#include "greeter.h"
#include "preload/plugin.h"

namespace {

class Chinese final : public greeter::Greeter {
 public:
  std::string Greet(const std::string& name) const override {
    return "你好, " + name + "!";
  }
};

}  // namespace

std::unique_ptr<greeter::Greeter> NewGreeter() {
  return std::make_unique<Chinese>();
}
PRELOAD_EXPORT(NewGreeter);

// Runs once the plugin has been verified and mapped, before it is registered.
PRELOAD_PLUGIN_INIT() { return absl::OkStatus(); }
