// A real Ceph RADOS Gateway for tests: one monitor, one memstore OSD and one RGW, started by
// tests/servers/start-ceph.sh on free 127.0.0.1 ports under the test's temporary directory, and
// stopped by stop-ceph.sh when the object goes away. Credentials: TESTACCESSKEY /
// TESTSECRETKEY1234567890.
#ifndef FANOUT_TESTS_CEPH_RGW_H_
#define FANOUT_TESTS_CEPH_RGW_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "s3/s3_client.h"

namespace fanout::testing {

// Thread-compatible. Owned by a test suite (it takes a few seconds to start).
class CephRgw {
 public:
  static absl::StatusOr<std::unique_ptr<CephRgw>> Start();
  ~CephRgw();

  std::string endpoint() const { return endpoint_; }  // "http://127.0.0.1:PORT"
  int port() const { return port_; }
  s3::S3Config Config(bool path_style = true) const;
  // Environment variables that point the fanout binaries at this gateway.
  std::vector<std::string> Environment() const;

 private:
  CephRgw() = default;
  std::string dir_;
  std::string endpoint_;
  int port_ = 0;
};

}  // namespace fanout::testing

#endif  // FANOUT_TESTS_CEPH_RGW_H_
