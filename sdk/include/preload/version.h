// Copyright the PreloadSDK authors.
//
// preload/version.h — the SDK's release and the version of its binary contract.
//
// `PRELOAD_SDK_ABI_VERSION` is the version of everything a plugin and a host
// exchange at run time: the fingerprint note's payload format and the plain-C
// descriptor in <preload/plugin_abi.h>. It changes only when that contract
// changes; a plugin and a host must agree on it under every policy.
#ifndef PRELOAD_VERSION_H_
#define PRELOAD_VERSION_H_

#define PRELOAD_SDK_VERSION_MAJOR 0
#define PRELOAD_SDK_VERSION_MINOR 1
#define PRELOAD_SDK_VERSION_PATCH 0
#define PRELOAD_SDK_VERSION_STRING "0.1.0"

#define PRELOAD_SDK_ABI_VERSION 1

// The ELF note that carries a fingerprint: its owner and type. The type is
// "PRPF" read as a little-endian 32-bit number.
#define PRELOAD_NOTE_OWNER "PreloadSDK"
#define PRELOAD_NOTE_TYPE 0x46505250u
// The note of a static plugin linked into an executable: another type, so
// that it is never taken for the executable's own note. "PRPS".
#define PRELOAD_STATIC_NOTE_TYPE 0x53505250u

#endif  // PRELOAD_VERSION_H_
