#include "cli/dev_tls.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <memory>

#include "absl/strings/str_cat.h"

namespace fanout::cli {
namespace {

using Key = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using Cert = std::unique_ptr<X509, decltype(&X509_free)>;

Key NewKey() { return Key(EVP_RSA_gen(2048), &EVP_PKEY_free); }

// A certificate for `subject`, valid for 30 days, signed by `issuer_key` as `issuer` (itself when
// null); a CA when `ca`, else for the loopback names.
Cert Issue(EVP_PKEY* key, const char* subject, X509* issuer, EVP_PKEY* issuer_key, bool ca,
           long serial) {
  Cert cert(X509_new(), &X509_free);
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 30L * 24 * 3600);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(subject), -1, -1, 0);
  X509_set_issuer_name(cert.get(), issuer != nullptr ? X509_get_subject_name(issuer) : name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer != nullptr ? issuer : cert.get(), cert.get(), nullptr, nullptr, 0);
  const char* extensions[][2] = {
      {"basicConstraints", ca ? "critical,CA:TRUE" : "CA:FALSE"},
      {"keyUsage",
       ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature,keyEncipherment"},
      {"subjectAltName", ca ? nullptr : "IP:127.0.0.1,IP:::1,DNS:localhost"}};
  for (const auto& [name_text, value] : extensions) {
    if (value == nullptr) continue;
    X509_EXTENSION* ext = X509V3_EXT_conf(nullptr, &ctx, name_text, value);
    if (ext != nullptr) X509_add_ext(cert.get(), ext, -1);
    X509_EXTENSION_free(ext);
  }
  X509_sign(cert.get(), issuer_key != nullptr ? issuer_key : key, EVP_sha256());
  return cert;
}

absl::Status WritePem(const std::string& path, X509* cert, EVP_PKEY* key) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) return absl::UnavailableError(absl::StrCat("--tls: cannot write ", path));
  ::fchmod(fileno(f), key != nullptr ? 0600 : 0644);
  const bool ok = key != nullptr
                      ? PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr) == 1
                      : PEM_write_X509(f, cert) == 1;
  std::fclose(f);
  return ok ? absl::OkStatus() : absl::InternalError(absl::StrCat("--tls: writing ", path));
}

}  // namespace

absl::StatusOr<DevTlsFiles> MakeDevTls(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return absl::UnavailableError(absl::StrCat("--tls: ", dir, ": ", ec.message()));
  Key ca_key = NewKey(), server_key = NewKey();
  if (ca_key == nullptr || server_key == nullptr) return absl::InternalError("--tls: no RSA key");
  Cert ca = Issue(ca_key.get(), "fanout dev throwaway CA", nullptr, nullptr, true, 1);
  Cert server = Issue(server_key.get(), "127.0.0.1", ca.get(), ca_key.get(), false, 2);
  DevTlsFiles files{dir + "/ca.pem", dir + "/server.pem", dir + "/server.key"};
  if (absl::Status s = WritePem(files.ca, ca.get(), nullptr); !s.ok()) return s;
  if (absl::Status s = WritePem(files.cert, server.get(), nullptr); !s.ok()) return s;
  if (absl::Status s = WritePem(files.key, nullptr, server_key.get()); !s.ok()) return s;
  return files;
}

}  // namespace fanout::cli
