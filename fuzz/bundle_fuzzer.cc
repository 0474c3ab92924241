// Function code bundles (zip, tar, tar.gz, anything libarchive reads), as `fanout function create`
// uploads them: checked (no escaping paths or links, sizes counted from the data), and, when they
// pass, unpacked into a fresh directory that is then removed — nothing may land outside it.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "common/bundle.h"
#include "fuzz/fuzzed.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string root = absl::StrCat(std::filesystem::temp_directory_path().string(),
                                        "/fanout-bundle-fuzz-", ::getpid());
  std::filesystem::remove_all(root);
  std::filesystem::create_directories(root + "/out");
  const std::string bundle = root + "/bundle";
  std::ofstream(bundle, std::ios::binary)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  constexpr uint64_t kMaxUnpacked = 1 << 20;
  if (fanout::InspectBundle(bundle, kMaxUnpacked).ok()) {
    (void)fanout::UnpackBundle(bundle, root + "/out", kMaxUnpacked);
  }
  std::filesystem::remove_all(root);
  return 0;
}
