// The matrix host: one build, against which every row's plugin is judged.
//
//   matrix_host verify strict|compatible PLUGIN  the loader's verdict (Verify)
//   matrix_host load strict|compatible PLUGIN    Open, Lookup, run the probe
//   matrix_host force PLUGIN                     bypass the check: plain dlopen,
//                                                dlsym, run the probe
//   matrix_host verify POLICY PLUGIN HOST_FILE   the verdict of a Loader whose
//                                                host fingerprint is HOST_FILE's
//                                                note (LoaderOptions::
//                                                host_fingerprint): the verdict
//                                                HOST_FILE itself would reach
//
// Built with MATRIX_FORCE_ONLY (tests/matrix/in_tree), it has only `force`
// and links nothing of the SDK: a host without sanitizers in a tree whose SDK
// is instrumented. Its verdict comes from another host's `verify ... HOST_FILE`.
//
// Every mode prints "key: value" lines for tests/matrix/matrix_test.py, and
// "step:" lines before each risky step so that a crash can be placed. `load`
// and `force` exit 5 ("state: changed: ...") when the probes were right but
// loading the plugin changed the thread's floating-point state.
// `force` is this test's own code, not an SDK feature: it shows what the
// loader's refusal prevents.
#include <dlfcn.h>
#include <fcntl.h>
#include <unistd.h>
#include <xmmintrin.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <typeinfo>
#include <sstream>
#include <iostream>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <preload/elf_notes.h>
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

// Objects whose layout one option changes (probe_contract.h), read by the
// plugin.
void ExpectTypes(std::string& wrong, MatrixTypesFn* probe) {
  if (probe == nullptr) return;
  const std::wstring wide = L"wide \u00e9\u4e2d";
  std::int64_t wide_sum = 0;
  for (wchar_t c : wide) wide_sum += c;
  const MatrixColor colors[] = {kMatrixRed, kMatrixGreen, kMatrixBlue};
  const MatrixMixed mixed{'m', 2.5};
  MatrixExtended extended[2];
  extended[0].extra = 'e';
  extended[1].number = 7;
  MatrixTypesResult result{};
  Step("probe_types");
  probe(&wide, colors, &mixed, extended, &result);
  Expect(wrong, "sum of a std::wstring's elements", wide_sum, result.wide_sum);
  Expect(wrong, "sum of an enum array", std::int64_t{6}, result.colors_sum);
  Expect(wrong, "{char, double}.value*1000", std::int64_t{2500},
         result.mixed_value);
  Expect(wrong, "derived-from-aggregate member", std::int64_t{'e'},
         result.extended_extra);
}

// A polymorphic object the plugin made, inspected with the host's RTTI.
void ExpectShape(std::string& wrong, MatrixShapeFn* probe) {
  if (probe == nullptr) return;
  Step("probe_shape");
  const std::unique_ptr<MatrixShape> shape(probe());
  Expect(wrong, "sides", 4, shape->Sides());
  Step("typeid");
  Expect(wrong, "typeid(*shape) == typeid(MatrixSquare)", 1,
         typeid(*shape) == typeid(MatrixSquare) ? 1 : 0);
  Expect(wrong, "dynamic_cast<MatrixSquare*>", 1,
         dynamic_cast<const MatrixSquare*>(shape.get()) != nullptr ? 1 : 0);
}

// Over-aligned objects the plugin allocates must have their type's alignment.
void ExpectBlocks(std::string& wrong, MatrixBlocksFn* probe) {
  if (probe == nullptr) return;
  constexpr int kCount = 8;
  MatrixBlock* blocks[kCount] = {};
  Step("probe_blocks");
  probe(blocks, kCount);
  int misaligned = 0;
  for (MatrixBlock* block : blocks) {
    misaligned += reinterpret_cast<std::uintptr_t>(block) % alignof(MatrixBlock)
                      ? 1 : 0;
  }
  Expect(wrong, "64-byte aligned blocks", kCount, kCount - misaligned);
  for (MatrixBlock* block : blocks) delete block;
}

// The plugin's entry points, whichever way they were found.
struct Probes {
  MatrixProbeFn* main;
  MatrixLongDoubleFn* long_double;
  MatrixCharsFn* chars;
  MatrixUnwindFn* unwind;
  MatrixTypesFn* types;
  MatrixShapeFn* shape;
  MatrixBlocksFn* blocks;
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
    ExpectTypes(wrong, probes.types);
    ExpectShape(wrong, probes.shape);
    ExpectBlocks(wrong, probes.blocks);
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

#if !defined(MATRIX_FORCE_ONLY)
// The fingerprint note of another binary, read from its file.
absl::StatusOr<preload::Fingerprint> FingerprintOf(const char* file) {
  const int fd = ::open(file, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return absl::NotFoundError(std::string("cannot open ") + file);
  absl::StatusOr<std::vector<preload::ElfNote>> notes = preload::FindElfNotes(
      fd, file, PRELOAD_NOTE_OWNER, PRELOAD_NOTE_TYPE);
  ::close(fd);
  if (!notes.ok()) return notes.status();
  if (notes->size() != 1) {
    return absl::NotFoundError(std::string("no fingerprint note in ") + file);
  }
  return preload::Fingerprint::Parse(notes->front().desc);
}

int Verify(preload::Policy policy, const char* path, const char* host_file) {
  preload::LoaderOptions options{policy};
  if (host_file != nullptr) {
    absl::StatusOr<preload::Fingerprint> host = FingerprintOf(host_file);
    if (!host.ok()) {
      std::cout << "verdict: error\nmessage: " << host.status().message()
                << std::endl;
      return kError;
    }
    options.host_fingerprint = *std::move(host);
  }
  preload::Loader loader(std::move(options));
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
  absl::StatusOr<MatrixTypesFn*> types =
      (*plugin)->Lookup<MatrixTypesFn>("matrix_probe_types");
  absl::StatusOr<MatrixShapeFn*> shape =
      (*plugin)->Lookup<MatrixShapeFn>("matrix_probe_shape");
  absl::StatusOr<MatrixBlocksFn*> blocks =
      (*plugin)->Lookup<MatrixBlocksFn>("matrix_probe_blocks");
  for (const absl::Status& status :
       {long_double.status(), chars.status(), unwind.status(), types.status(),
        shape.status(), blocks.status()}) {
    if (status.ok()) continue;
    std::cout << "message: " << status.message() << std::endl;
    return kError;
  }
  const int result = RunProbe(
      {*probe, *long_double, *chars, *unwind, *types, *shape, *blocks});
  const int state = CheckFpState(before);
  return result == kCorrect ? state : result;
}

#endif  // !MATRIX_FORCE_ONLY

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
           ::dlsym(handle, "matrix_probe_unwind")),
       reinterpret_cast<MatrixTypesFn*>(::dlsym(handle, "matrix_probe_types")),
       reinterpret_cast<MatrixShapeFn*>(::dlsym(handle, "matrix_probe_shape")),
       reinterpret_cast<MatrixBlocksFn*>(
           ::dlsym(handle, "matrix_probe_blocks"))});
  const int state = CheckFpState(before);
  return result == kCorrect ? state : result;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "force" && argc == 3) return Force(argv[2]);
#if !defined(MATRIX_FORCE_ONLY)
  const bool verify = mode == "verify" && (argc == 4 || argc == 5);
  if (verify || (mode == "load" && argc == 4)) {
    absl::StatusOr<preload::Policy> policy = preload::ParsePolicy(argv[2]);
    if (!policy.ok()) {
      std::cerr << policy.status() << "\n";
      return kUsage;
    }
    return verify ? Verify(*policy, argv[3], argc == 5 ? argv[4] : nullptr)
                  : Load(*policy, argv[3]);
  }
#endif
  std::cerr << "usage: matrix_host verify strict|compatible PLUGIN [HOST_FILE]\n"
               "       matrix_host load strict|compatible PLUGIN\n"
               "       matrix_host force PLUGIN\n";
  return kUsage;
}
