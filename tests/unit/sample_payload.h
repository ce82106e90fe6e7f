// A real plugin's fingerprint payload, as readelf shows it; shared by the
// unit tests of the fingerprint model and of the policy.
#ifndef TESTS_UNIT_SAMPLE_PAYLOAD_H_
#define TESTS_UNIT_SAMPLE_PAYLOAD_H_

#include <string_view>

namespace preload::testing {

constexpr std::string_view kSample =
    "preload-fingerprint/1\n"
    "kind=plugin\n"
    "name=hello\n"
    "version=1.2.0\n"
    "descriptor=preload_descriptor_hello\n"
    "sdk.abi=1\n"
    "sdk.version=0.1.0\n"
    "target.arch=x86_64\n"
    "target.os=linux\n"
    "target.pointer_bits=64\n"
    "target.byte_order=little\n"
    "compiler.id=gcc\n"
    "compiler.version=12.2.0\n"
    "cxx.standard=201703\n"
    "cxx.exceptions=1\n"
    "cxx.rtti=1\n"
    "cxx.gxx_abi=1017\n"
    "cxx.aligned_new=1\n"
    "cxx.weak=1\n"
    "stdlib.name=libstdc++\n"
    "stdlib.release=12\n"
    "glibcxx.cxx11_abi=1\n"
    "glibcxx.debug=0\n"
    "glibcxx.assertions=0\n"
    "sanitizers=none\n"
    "absl.lts=20220623\n"
    "absl.namespace=debian3\n"
    "absl.std_any=0\n"
    "absl.std_optional=0\n"
    "absl.std_string_view=0\n"
    "absl.std_variant=0\n"
    "layout.std_string=32/8\n"
    "layout.std_vector=24/8\n"
    "layout.std_function=32/8\n"
    "layout.long_double=16/16\n"
    "layout.max_align_t=32/16\n"
    "layout.wchar_t=4/4\n"
    "layout.long=8/8\n"
    "layout.enum=4/4\n"
    "abi.myapp=2.1\n"
    "build.config=Release\n"
    "flags.cxx=-O2 -DNDEBUG\n"
    "flags.options=\n"
    "flags.definitions=\n"
    "flags.features=cxx_std_17\n";

}  // namespace preload::testing

#endif  // TESTS_UNIT_SAMPLE_PAYLOAD_H_
