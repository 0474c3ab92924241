#include "common/json_text.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/utf8.h"

namespace fanout {
namespace {

using nlohmann::json;

// What every SAX consumer here shares: the depth limit and the first error.
template <class Base>
class Limited : public Base {
 public:
  template <class... Args>
  explicit Limited(int max_depth, Args&&... args)
      : Base(std::forward<Args>(args)...), max_depth_(max_depth) {}

  bool start_object(std::size_t n) { return Enter() && Base::start_object(n); }
  bool start_array(std::size_t n) { return Enter() && Base::start_array(n); }
  bool end_object() {
    --depth_;
    return Base::end_object();
  }
  bool end_array() {
    --depth_;
    return Base::end_array();
  }
  bool parse_error(std::size_t /*position*/, const std::string& /*token*/,
                   const nlohmann::detail::exception& e) {
    // "[json.exception.parse_error.101] parse error at line 1, column 2: ..." -> what follows.
    absl::string_view what = e.what();
    const size_t bracket = what.find("] ");
    if (bracket != absl::string_view::npos) what.remove_prefix(bracket + 2);
    error_ = absl::StrCat("not valid JSON (", what, ")");
    return false;
  }

  const std::string& error() const { return error_; }

 private:
  bool Enter() {
    if (++depth_ <= max_depth_) return true;
    error_ = absl::StrCat("nested deeper than ", max_depth_, " levels of lists and objects");
    return false;
  }

  const int max_depth_;
  int depth_ = 0;
  std::string error_;
};

using DomParser = Limited<nlohmann::detail::json_sax_dom_parser<json>>;
using Acceptor = Limited<nlohmann::detail::json_sax_acceptor<json>>;

}  // namespace

absl::StatusOr<json> ParseJson(absl::string_view text, absl::string_view what, int max_depth) {
  if (absl::Status utf8 = CheckUtf8(text, what); !utf8.ok()) return utf8;
  json out;
  DomParser sax(max_depth, out, /*allow_exceptions=*/false);
  if (!json::sax_parse(text.begin(), text.end(), &sax) || !sax.error().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, ": ", sax.error().empty() ? std::string("not valid JSON") : sax.error()));
  }
  return out;
}

bool IsJsonText(absl::string_view text, int max_depth) {
  if (!IsValidUtf8(text)) return false;
  Acceptor sax(max_depth);
  return json::sax_parse(text.begin(), text.end(), &sax) && sax.error().empty();
}

std::string StringField(const json& object, const char* key, std::string fallback) {
  if (!object.is_object()) return fallback;
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : fallback;
}

uint64_t UintField(const json& object, const char* key, uint64_t fallback) {
  if (!object.is_object()) return fallback;
  auto it = object.find(key);
  return it != object.end() && it->is_number_unsigned() ? it->get<uint64_t>() : fallback;
}

std::string DumpJson(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace fanout
