// Conversions between absl time types and the protobuf well-known types used on the wire and on
// disk.
#ifndef FANOUT_COMMON_PROTO_TIME_H_
#define FANOUT_COMMON_PROTO_TIME_H_

#include "absl/time/time.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/timestamp.pb.h"

namespace fanout {

inline void ToProto(absl::Time t, google::protobuf::Timestamp* out) {
  const int64_t nanos = absl::ToUnixNanos(t);
  out->set_seconds(nanos / 1'000'000'000);
  out->set_nanos(static_cast<int32_t>(nanos % 1'000'000'000));
}

inline absl::Time FromProto(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

inline void ToProto(absl::Duration d, google::protobuf::Duration* out) {
  const int64_t nanos = absl::ToInt64Nanoseconds(d);
  out->set_seconds(nanos / 1'000'000'000);
  out->set_nanos(static_cast<int32_t>(nanos % 1'000'000'000));
}

inline absl::Duration FromProto(const google::protobuf::Duration& d) {
  return absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
}

// An unset Duration field means "use the default".
inline absl::Duration DurationOr(bool has, const google::protobuf::Duration& d,
                                 absl::Duration fallback) {
  return has ? FromProto(d) : fallback;
}

}  // namespace fanout

#endif  // FANOUT_COMMON_PROTO_TIME_H_
