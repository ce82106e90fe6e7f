// Copyright the PreloadSDK authors.
//
// PreloadSDK::autoload: the whole of it is this constructor. It is compiled
// into an object library, so linking the target links this object, and the
// constructor runs before main (after the shared libraries' constructors,
// among the executable's own static initialisers).
#include "preload/autoload.h"

namespace {

__attribute__((constructor)) void PreloadAutoloadBeforeMain() {
  (void)preload::LoadFromEnvironment();
}

}  // namespace
