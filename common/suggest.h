// "Did you mean ...?" for names typed wrong: flags, commands, parameters.
#ifndef FANOUT_COMMON_SUGGEST_H_
#define FANOUT_COMMON_SUGGEST_H_

#include <string>
#include <vector>

namespace fanout {

// The closest of `candidates` to `typo` (edit distance at most a third of its length, and 2 at
// least), or "" when none is close.
std::string Suggest(const std::string& typo, const std::vector<std::string>& candidates);

}  // namespace fanout

#endif  // FANOUT_COMMON_SUGGEST_H_
