#!/usr/bin/env bash
# Link launcher of the `preload` tool (sdk/cli/CMakeLists.txt, RULE_LAUNCH_LINK):
# runs the link command it is given with each shared library of Abseil,
# libsodium and liburing replaced by its static archive beside it, where there
# is one (Debian's -dev packages ship both). The tool is one short process per
# command, and loading some forty shared libraries cost it more than a scan of
# a thousand plugins' own work did (docs/performance.md, "The CLI scan").
# The archives go last, as one group: their order on the line was made for
# shared libraries, where it does not matter.
set -euo pipefail
kept=()
archives=()
for argument in "$@"; do
  case $argument in
    */libabsl_*.so.* | */libabsl_*.so | */libsodium.so | */liburing.so)
      archive="${argument%%.so*}.a"
      if [[ -f "$archive" ]]; then
        archives+=("$archive")
        continue
      fi ;;
  esac
  kept+=("$argument")
done
if ((${#archives[@]})); then
  kept+=(-Wl,--start-group "${archives[@]}" -Wl,--end-group)
fi
exec "${kept[@]}"
