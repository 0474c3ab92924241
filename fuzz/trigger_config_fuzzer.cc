// A trigger's configuration file.
#include "fuzz/fuzzed.h"
#include "trigger/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)fanout::trigger::ParseTriggerConfig("fuzz.json",
                                            std::string(fanout::fuzz::Text(data, size)));
  return 0;
}
