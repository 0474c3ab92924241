// Small conversions between RocksDB's types and the project's, shared by the store's files.
#ifndef FANOUT_COORDINATOR_ROCKSDB_GLUE_H_
#define FANOUT_COORDINATOR_ROCKSDB_GLUE_H_

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "rocksdb/slice.h"
#include "rocksdb/status.h"

namespace fanout::coordinator {

// A failed disk operation is UNAVAILABLE: the store cannot go on until it is reopened.
inline absl::Status FromRocks(const rocksdb::Status& s, absl::string_view what) {
  if (s.ok()) return absl::OkStatus();
  return absl::UnavailableError(absl::StrCat(what, ": ", s.ToString()));
}

inline rocksdb::Slice AsSlice(absl::string_view s) { return rocksdb::Slice(s.data(), s.size()); }

inline absl::string_view View(const rocksdb::Slice& s) {
  return absl::string_view(s.data(), s.size());
}

}  // namespace fanout::coordinator

#endif  // FANOUT_COORDINATOR_ROCKSDB_GLUE_H_
