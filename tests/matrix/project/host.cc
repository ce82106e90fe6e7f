// The matrix host: one build, against which every row's plugin is judged.
//
//   matrix_host verify strict|compatible PLUGIN  the loader's verdict (Verify)
//   matrix_host load strict|compatible PLUGIN    Open, Lookup, run the probe
//   matrix_host force PLUGIN                     bypass the check: plain dlopen,
//                                                dlsym, run the probe
//
// Every mode prints "key: value" lines for tests/matrix/matrix_test.py, and
// "step:" lines before each risky step so that a crash can be placed. `load`
// and `force` exit 5 ("state: changed: ...") when the probes were right but
// loading the plugin changed the thread's floating-point state.
// `force` is this test's own code, not an SDK feature: it shows what the
// loader's refusal prevents.
#include <dlfcn.h>
#include <xmmintrin.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <sstream>
#include <iostream>
#include <set>
#include <stdexcept>
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
constexpr int kStateChanged = 5;
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

// The floating-point state a plugin must leave as it found it, and what it
// does to arithmetic: MXCSR (FTZ/DAZ), the x87 control word (precision), a
// denormal double times one (zero under DAZ) and 1/3 in long double (rounded
// to fewer bits under a lower x87 precision).
struct FpState {
  unsigned mxcsr;
  unsigned short x87;
  double denormal;
  long double third;
};

FpState ReadFpState() {
  FpState state{};
  state.mxcsr = _mm_getcsr();
  asm volatile("fnstcw %0" : "=m"(state.x87));
  // Both volatile: x * 1.0 with a constant 1.0 is folded to x.
  volatile double tiny = 1e-310, one_double = 1.0;
  state.denormal = tiny * one_double;
  volatile long double one = 1, three = 3;
  state.third = one / three;
  return state;
}

std::string Describe(const FpState& s) {
  std::ostringstream out;
  out << std::hex << "MXCSR 0x" << s.mxcsr << ", x87 control word 0x" << s.x87
      << std::dec << ", 1e-310*1.0 = " << s.denormal
      << ", 1/3L = " << static_cast<double>(s.third)
      << (s.third == 1.0L / 3 ? " (64-bit mantissa)" : " (rounded)");
  return out.str();
}

// kStateChanged, with the state before and after, when loading and calling
// the plugin left the thread's floating-point state other than `before`.
int CheckFpState(const FpState& before) {
  const FpState after = ReadFpState();
  // MXCSR's low six bits are sticky exception flags, which any arithmetic
  // (the denormal product above) sets: only the control bits count.
  constexpr unsigned kMxcsrFlags = 0x3f;
  if ((before.mxcsr & ~kMxcsrFlags) == (after.mxcsr & ~kMxcsrFlags) &&
      before.x87 == after.x87 &&
      std::memcmp(&before.denormal, &after.denormal, sizeof(double)) == 0 &&
      before.third == after.third) {
    return kCorrect;
  }
  std::cout << "state: changed: before " << Describe(before) << "; after "
            << Describe(after) << std::endl;
  return kStateChanged;
}

// A long double through memory: the probe computes *in * 2 + 1.
void ExpectLongDouble(std::string& wrong, MatrixLongDoubleFn* probe) {
  if (probe == nullptr) return;
  volatile long double one = 1, three = 3;
  const long double in = one / three;
  long double out = 0;
  Step("probe_long_double");
  probe(&in, &out);
  const long double expected = in * 2 + 1;
  if (std::memcmp(&out, &expected, 10) == 0) return;  // the 80 bits that count
  if (!wrong.empty()) wrong += "; ";
  wrong += "long double (1/3)*2+1 expected " +
           std::to_string(static_cast<double>(expected)) + " got " +
           std::to_string(static_cast<double>(out));
}

// A std::set<char> built here, searched there: chars above 0x7f are negative
// where plain char is signed.
void ExpectChars(std::string& wrong, MatrixCharsFn* probe) {
  if (probe == nullptr) return;
  const std::set<char> chars = {'a', 'z', '\xe9', 'm', '\x80'};
  Step("probe_chars");
  const int found = probe(&chars);
  Expect(wrong, "std::set<char> elements found", static_cast<int>(chars.size()),
         found);
}

[[noreturn]] void ThrowFromHost() { throw std::runtime_error("from the host"); }

// An exception thrown by the host through a plugin frame and caught by the
// host: the plugin's object on the way must be destroyed.
void ExpectUnwind(std::string& wrong, MatrixUnwindFn* probe) {
  if (probe == nullptr) return;
  int destroyed = 0;
  bool caught = false;
  Step("probe_unwind");
  try {
    probe(&ThrowFromHost, &destroyed);
  } catch (const std::runtime_error&) {
    caught = true;
  }
  Expect(wrong, "exception caught by the host", 1, caught ? 1 : 0);
  Expect(wrong, "plugin destructors run while unwinding", 1, destroyed);
}

// The plugin's entry points, whichever way they were found.
struct Probes {
  MatrixProbeFn* main;
  MatrixLongDoubleFn* long_double;
  MatrixCharsFn* chars;
  MatrixUnwindFn* unwind;
};

// Calls the probe with inputs whose layout an ABI break misreads, and checks
// every value it returns.
int RunProbe(const Probes& probes) {
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
    const int returned = probes.main(text, numbers, request, &out, &result);
    Step("check");
    Expect(wrong, "return", 1, returned);
    Expect(wrong, "text.size()", std::int64_t(text.size()), result.text_size);
    Expect(wrong, "sum(numbers)", std::int64_t{55}, result.numbers_sum);
    Expect(wrong, "request.base*1000+request.step", std::int64_t{7003},
           result.request_value);
    Expect(wrong, "HostTwice(21)", std::int64_t{42}, result.host_value);
    ExpectLongDouble(wrong, probes.long_double);
    ExpectChars(wrong, probes.chars);
    ExpectUnwind(wrong, probes.unwind);
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
  const FpState before = ReadFpState();
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
  absl::StatusOr<MatrixLongDoubleFn*> long_double =
      (*plugin)->Lookup<MatrixLongDoubleFn>("matrix_probe_long_double");
  absl::StatusOr<MatrixCharsFn*> chars =
      (*plugin)->Lookup<MatrixCharsFn>("matrix_probe_chars");
  absl::StatusOr<MatrixUnwindFn*> unwind =
      (*plugin)->Lookup<MatrixUnwindFn>("matrix_probe_unwind");
  for (const absl::Status& status :
       {long_double.status(), chars.status(), unwind.status()}) {
    if (status.ok()) continue;
    std::cout << "message: " << status.message() << std::endl;
    return kError;
  }
  const int result = RunProbe({*probe, *long_double, *chars, *unwind});
  const int state = CheckFpState(before);
  return result == kCorrect ? state : result;
}

// What the loader's check prevents: the same plugin, loaded without it.
int Force(const char* path) {
  const FpState before = ReadFpState();
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
  const int result = RunProbe(
      {reinterpret_cast<MatrixProbeFn*>(symbol),
       reinterpret_cast<MatrixLongDoubleFn*>(
           ::dlsym(handle, "matrix_probe_long_double")),
       reinterpret_cast<MatrixCharsFn*>(::dlsym(handle, "matrix_probe_chars")),
       reinterpret_cast<MatrixUnwindFn*>(
           ::dlsym(handle, "matrix_probe_unwind"))});
  const int state = CheckFpState(before);
  return result == kCorrect ? state : result;
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
