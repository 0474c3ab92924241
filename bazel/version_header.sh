#!/bin/sh
# Writes common/version.h ($2) from the VERSION file ($1): the version `--version` prints.
set -eu
version=$(tr -d ' \n' < "$1")
cat > "$2" <<HEADER
// Generated from VERSION by //common:version_h. Do not edit.
#ifndef FANOUT_COMMON_VERSION_H_
#define FANOUT_COMMON_VERSION_H_

namespace fanout {

inline constexpr char kVersion[] = "$version";
#ifdef NDEBUG
inline constexpr char kBuildMode[] = "optimized";
#else
inline constexpr char kBuildMode[] = "debug";
#endif

}  // namespace fanout

#endif  // FANOUT_COMMON_VERSION_H_
HEADER
