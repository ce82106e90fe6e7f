// Copyright the PreloadSDK authors.
//
// The start-up benchmark's host: PreloadSDK::autoload loads PRELOAD_PLUGINS
// before main; main does nothing, so the process's time is start-up.
int main() { return 0; }
