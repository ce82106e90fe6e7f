// The matrix host: one build, against which every row's plugin is judged.
//
//   matrix_host verify strict|compatible PLUGIN  the loader's verdict (Verify)
//   matrix_host load strict|compatible PLUGIN    Open, Lookup, run the probe
//   matrix_host force PLUGIN                     bypass the check: plain dlopen,
//                                                dlsym, run the probe
//
// Every mode prints "key: value" lines for tests/matrix/matrix_test.py, and
// "step:" lines before each risky step so that a crash can be placed.
// `force` is this test's own code, not an SDK feature: it shows what the
// loader's refusal prevents.
#include <dlfcn.h>

#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include <preload/loader.h>

#include "probe_contract.h"

namespace matrix {
// The host's side of the matrix ABI.
int HostTwice(int value) { return 2 * value; }
}  // namespace matrix

namespace {

constexpr int kCorrect = 0;
constexpr int kUsage = 2;
constexpr int kWrongResult = 4;
constexpr int kRefused = 10;
constexpr int kError = 11;

void Step(const char* what) {
  std::cout << "step: " << what << std::endl;  // flushed: we may crash next
}

// Appends "name expected X got Y" to `wrong` when the values differ.
template <typename T>
void Expect(std::string& wrong, const char* name, const T& expected,
            const T& got) {
  if (expected == got) return;
  if (!wrong.empty()) wrong += "; ";
  wrong += std::string(name) + " expected " + std::to_string(expected) +
           " got " + std::to_string(got);
}

// Calls the probe with inputs whose layout an ABI break misreads, and checks
// every value it returns.
int RunProbe(MatrixProbeFn* probe) {
  const std::string text = "a std::string longer than any SSO buffer";
  const std::vector<int> numbers = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  matrix::Request request{};
  request.base = 7;
  request.step = 3;
  request.extra = 5;
  const std::string expected_out = "probe:" + text + ":55";

  std::string wrong;
  {
    std::string out;
    MatrixProbeResult result{};
    Step("probe");
    const int returned = probe(text, numbers, request, &out, &result);
    Step("check");
    Expect(wrong, "return", 1, returned);
    Expect(wrong, "text.size()", std::int64_t(text.size()), result.text_size);
    Expect(wrong, "sum(numbers)", std::int64_t{55}, result.numbers_sum);
    Expect(wrong, "request.base*1000+request.step", std::int64_t{7003},
           result.request_value);
    Expect(wrong, "HostTwice(21)", std::int64_t{42}, result.host_value);
    if (out != expected_out) {
      if (!wrong.empty()) wrong += "; ";
      wrong += "out expected " + std::to_string(expected_out.size()) +
               " chars, got " + std::to_string(out.size());
    }
    // Said before `out` is freed, which may crash.
    std::cout << "values: " << (wrong.empty() ? "correct" : wrong) << std::endl;
    Step("destroy");  // the plugin wrote `out`; the host frees it
  }
  Step("done");
  if (!wrong.empty()) {
    std::cout << "result: wrong: " << wrong << std::endl;
    return kWrongResult;
  }
  std::cout << "result: correct" << std::endl;
  return kCorrect;
}

int Verify(preload::Policy policy, const char* path) {
  preload::Loader loader(preload::LoaderOptions{policy});
  absl::StatusOr<preload::Fingerprint> plugin = loader.Verify(path);
  if (plugin.ok()) {
    std::cout << "verdict: accepted" << std::endl;
    return kCorrect;
  }
  const bool refused =
      plugin.status().code() == absl::StatusCode::kFailedPrecondition;
  std::cout << "verdict: " << (refused ? "refused" : "error") << "\n"
            << "message: " << plugin.status().message() << std::endl;
  return refused ? kRefused : kError;
}

int Load(preload::Policy policy, const char* path) {
  preload::Loader loader(preload::LoaderOptions{policy});
  Step("open");
  absl::StatusOr<preload::Plugin*> plugin = loader.Open(path);
  if (!plugin.ok()) {
    std::cout << "message: " << plugin.status().message() << std::endl;
    return kError;
  }
  absl::StatusOr<MatrixProbeFn*> probe =
      (*plugin)->Lookup<MatrixProbeFn>("matrix_probe");
  if (!probe.ok()) {
    std::cout << "message: " << probe.status().message() << std::endl;
    return kError;
  }
  return RunProbe(*probe);
}

// What the loader's check prevents: the same plugin, loaded without it.
int Force(const char* path) {
  Step("dlopen");
  void* handle = ::dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    std::cout << "dlopen: failed: " << ::dlerror() << std::endl;
    return kError;
  }
  void* symbol = ::dlsym(handle, "matrix_probe");
  if (symbol == nullptr) {
    std::cout << "dlsym: failed: " << ::dlerror() << std::endl;
    return kError;
  }
  return RunProbe(reinterpret_cast<MatrixProbeFn*>(symbol));
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "force" && argc == 3) return Force(argv[2]);
  if ((mode == "verify" || mode == "load") && argc == 4) {
    absl::StatusOr<preload::Policy> policy = preload::ParsePolicy(argv[2]);
    if (!policy.ok()) {
      std::cerr << policy.status() << "\n";
      return kUsage;
    }
    return mode == "verify" ? Verify(*policy, argv[3]) : Load(*policy, argv[3]);
  }
  std::cerr << "usage: matrix_host verify|load strict|compatible PLUGIN\n"
               "       matrix_host force PLUGIN\n";
  return kUsage;
}
