// Files compiled into a binary (see bazel/embed_assets.sh), served by path.
#ifndef FANOUT_COMMON_EMBEDDED_ASSETS_H_
#define FANOUT_COMMON_EMBEDDED_ASSETS_H_

#include <string>
#include <vector>

namespace fanout {

struct EmbeddedAsset {
  const char* path;  // "/app.js"
  const char* content_type;
  std::string body;
};

// Defined by the generated source of the binary's asset target.
const std::vector<EmbeddedAsset>& EmbeddedAssets();

}  // namespace fanout

#endif  // FANOUT_COMMON_EMBEDDED_ASSETS_H_
