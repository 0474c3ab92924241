#include "tests/ceph_rgw.h"

#include <unistd.h>

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "tests/free_port.h"
#include "tests/process.h"

namespace fanout::testing {

absl::StatusOr<std::unique_ptr<CephRgw>> CephRgw::Start() {
  std::unique_ptr<CephRgw> rgw(new CephRgw());
  rgw->dir_ = TestDir("ceph");
  for (int tries = 0; tries < 3; ++tries) {
    rgw->port_ = FreePortBelowEphemeral();
    const std::string script = Runfile("tests/servers/start-ceph.sh");
    CommandResult r =
        RunCommand("/usr/bin/env",
                   {"CEPH_DIR=" + rgw->dir_, absl::StrCat("OWNER_PID=", getpid()),
                    absl::StrCat("RGW_PORT=", rgw->port_),
                    absl::StrCat("MON_PORT=", FreePortBelowEphemeral()), "/bin/bash", script},
                   absl::Minutes(3));
    if (r.exit_code == 0) {
      rgw->endpoint_ = absl::StrCat("http://127.0.0.1:", rgw->port_);
      return rgw;
    }
    if (tries == 2) {
      return absl::UnavailableError(
          absl::StrCat("start-ceph.sh failed (", r.exit_code, "): ", r.out, r.err));
    }
  }
  return absl::UnavailableError("unreachable");
}

CephRgw::~CephRgw() {
  RunCommand("/usr/bin/env",
             {"CEPH_DIR=" + dir_, "/bin/bash", Runfile("tests/servers/stop-ceph.sh")},
             absl::Minutes(2));
}

s3::S3Config CephRgw::Config(bool path_style) const {
  s3::S3Config c;
  // Virtual-host style needs a name: RGW runs with "rgw dns name = localhost", and names under
  // .localhost resolve to the loopback address.
  c.endpoint = path_style ? endpoint_ : absl::StrCat("http://localhost:", port_);
  c.path_style = path_style;
  c.credentials = {"TESTACCESSKEY", "TESTSECRETKEY1234567890", ""};
  return c;
}

std::vector<std::string> CephRgw::Environment() const {
  return {"AWS_ACCESS_KEY_ID=TESTACCESSKEY", "AWS_SECRET_ACCESS_KEY=TESTSECRETKEY1234567890",
          "AWS_REGION=us-east-1", "AWS_ENDPOINT_URL=" + endpoint_};
}

}  // namespace fanout::testing
