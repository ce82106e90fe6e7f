// Copyright the PreloadSDK authors.
//
// preload keygen --out NAME, preload sign --key NAME.key PLUGIN... — keys
// and signatures in minisign's formats (docs/signing.md), so that minisign
// reads what these write and the other way round.
#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "base/internal/errno_status.h"
#include "base/internal/escape.h"
#include "base/internal/string_view.h"
#include "base/internal/unique_fd.h"
#include "cli/internal/cli.h"
#include "cli/internal/flags.h"
#include "cli/internal/output.h"
#include "loader/internal/provenance.h"
#include "signing/internal/signature.h"
#include "signing/internal/small_file.h"

namespace preload::cli {
namespace {

// minisign signs a file's BLAKE2b-512; `preload digest` prints its SHA-256.
constexpr internal::WantedHashes kForSignature{/*sha256=*/false, /*blake2b=*/true};
constexpr internal::WantedHashes kForDigest{/*sha256=*/true, /*blake2b=*/false};

using internal::EscapeText;

// Writes `text` to the new file `path` with `mode`; never replaces a file.
absl::Status WriteNewFile(const std::string& path, const std::string& text,
                          mode_t mode) {
  internal::UniqueFd fd(
      ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
  if (!fd.valid()) {
    if (errno == EEXIST) {
      return absl::AlreadyExistsError(absl::StrCat(
          path, ": exists, and a key is never overwritten; choose another "
          "--out, or remove the old key first"));
    }
    return internal::ErrnoStatus(errno, absl::StrCat(path, ": cannot create"));
  }
  // The umask may have narrowed `mode`; a public key is for everyone.
  if (::fchmod(fd.get(), mode) != 0 ||
      ::write(fd.get(), text.data(), text.size()) !=
          static_cast<ssize_t>(text.size())) {
    return internal::ErrnoStatus(errno, absl::StrCat(path, ": cannot write"));
  }
  return absl::OkStatus();
}

// Replaces `path` by a file holding `text`, atomically: written beside it,
// then renamed over it, so a reader never sees half a signature.
absl::Status ReplaceFile(const std::string& path, const std::string& text) {
  std::string temp = path + ".XXXXXX";
  internal::UniqueFd fd(::mkostemp(temp.data(), O_CLOEXEC));
  if (!fd.valid()) {
    return internal::ErrnoStatus(errno, absl::StrCat(path, ": cannot create"));
  }
  if (::fchmod(fd.get(), 0644) != 0 ||
      ::write(fd.get(), text.data(), text.size()) !=
          static_cast<ssize_t>(text.size()) ||
      ::rename(temp.c_str(), path.c_str()) != 0) {
    const int error = errno;
    ::unlink(temp.c_str());
    return internal::ErrnoStatus(error, absl::StrCat(path, ": cannot write"));
  }
  return absl::OkStatus();
}

int Fail(std::string_view command, const absl::Status& status, bool json) {
  if (json) {
    PrintJson(Json{{"command", command},
                   {"error", std::string(status.message())},
                   {"exit_status", kExitUsage}});
  } else {
    PrintError(command, status);
  }
  return kExitUsage;
}

// The signing time minisign writes into the trusted comment; from
// SOURCE_DATE_EPOCH when set, so that a reproducible build signs
// reproducibly.
long long SigningTime() {
  long long epoch = 0;
  const char* fixed = std::getenv("SOURCE_DATE_EPOCH");
  if (fixed != nullptr && absl::SimpleAtoi(fixed, &epoch) && epoch >= 0) {
    return epoch;
  }
  return static_cast<long long>(std::time(nullptr));
}

std::string BaseName(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The `wanted` hashes of the regular file `path`, read through one
// descriptor; what `sign` and `digest` both need.
absl::StatusOr<internal::FileHashes> HashPath(const std::string& path,
                                              internal::WantedHashes wanted) {
  internal::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (!fd.valid()) {
    return internal::ErrnoStatus(errno, absl::StrCat(path, ": cannot open"));
  }
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0 || !S_ISREG(info.st_mode)) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": not a regular file"));
  }
  return internal::HashFile(fd.get(), static_cast<uint64_t>(info.st_size), path,
                            wanted);
}

// Signs the file `path`: hashes it through one descriptor and writes
// `path`.minisig.
absl::StatusOr<std::string> SignFile(const internal::MinisignSecretKey& key,
                                     const std::string& path) {
  absl::StatusOr<internal::FileHashes> hashes = HashPath(path, kForSignature);
  if (!hashes.ok()) return hashes.status();
  // minisign's own trusted comment, so `minisign -V` shows the same.
  const std::string comment = absl::StrCat(
      "timestamp:", SigningTime(), "\tfile:", BaseName(path), "\thashed");
  absl::StatusOr<internal::MinisignSignature> signature =
      internal::SignHash(key, *hashes->blake2b,
                         comment.find_first_of("\r\n") == std::string::npos
                             ? comment
                             : "hashed");
  if (!signature.ok()) return signature.status();
  const std::string signature_path =
      absl::StrCat(path, internal::ToAbsl(internal::kSignatureSuffix));
  if (absl::Status written =
          ReplaceFile(signature_path, internal::FormatSignature(*signature));
      !written.ok()) {
    return written;
  }
  return signature_path;
}

}  // namespace

int RunKeygen(const std::vector<std::string>&) {
  const bool json = absl::GetFlag(FLAGS_json);
  const std::string out = absl::GetFlag(FLAGS_out);
  if (out.empty()) {
    PrintUsageError("keygen", "--out NAME is required (writes NAME.key and NAME.pub)",
                    json);
    return kExitUsage;
  }
  absl::StatusOr<internal::KeyPair> pair = internal::GenerateKeyPair();
  if (!pair.ok()) return Fail("keygen", pair.status(), json);
  const std::string secret_path = out + ".key";
  const std::string public_path = out + ".pub";
  std::string secret = internal::FormatSecretKey(pair->secret_key);
  absl::Status written = WriteNewFile(secret_path, secret, 0600);
  sodium_memzero(secret.data(), secret.size());
  sodium_memzero(pair->secret_key.key.data(), pair->secret_key.key.size());
  if (!written.ok()) return Fail("keygen", written, json);
  written = WriteNewFile(public_path,
                         internal::FormatPublicKey(pair->public_key), 0644);
  if (!written.ok()) {
    ::unlink(secret_path.c_str());  // half a pair is no use
    return Fail("keygen", written, json);
  }
  const std::string id = internal::KeyIdText(pair->public_key.key_id);
  if (json) {
    PrintJson(Json{{"command", "keygen"},
                   {"key_id", id},
                   {"secret_key", secret_path},
                   {"public_key", public_path},
                   {"exit_status", kExitOk}});
  } else {
    std::cout << "key " << id << "\n"
              << "  secret key: " << EscapeText(secret_path)
              << " (mode 0600; keep it secret, out of the source tree)\n"
              << "  public key: " << EscapeText(public_path)
              << " (give it to hosts: target_preload_host TRUSTED_KEYS)\n";
  }
  return kExitOk;
}

int RunSign(const std::vector<std::string>& args) {
  const bool json = absl::GetFlag(FLAGS_json);
  const std::string key_path = absl::GetFlag(FLAGS_key);
  if (key_path.empty()) {
    PrintUsageError("sign", "--key NAME.key is required", json);
    return kExitUsage;
  }
  absl::StatusOr<std::string> text =
      internal::ReadSmallFile(key_path, internal::kMaxSignatureFileBytes);
  if (!text.ok()) return Fail("sign", text.status(), json);
  absl::StatusOr<internal::MinisignSecretKey> key = internal::ParseSecretKey(*text);
  sodium_memzero(text->data(), text->size());
  if (!key.ok()) {
    return Fail("sign", absl::InvalidArgumentError(absl::StrCat(
                            key_path, ": ", key.status().message())),
                json);
  }
  const std::string id = internal::KeyIdText(key->key_id);
  int status = kExitOk;
  Json files = Json::array();
  for (const std::string& path : args) {
    absl::StatusOr<std::string> signed_to = SignFile(*key, path);
    if (!signed_to.ok()) {
      status = kExitUsage;
      if (json) {
        files.push_back(Json{{"path", path}, {"error", signed_to.status().message()}});
      } else {
        PrintError("sign", signed_to.status());
      }
      continue;
    }
    if (json) {
      files.push_back(Json{{"path", path}, {"signature", *signed_to}});
    } else if (!absl::GetFlag(FLAGS_quiet)) {
      std::cout << EscapeText(path) << ": signed with key " << id << " -> "
                << EscapeText(*signed_to) << "\n";
    }
  }
  sodium_memzero(key->key.data(), key->key.size());
  if (json) {
    PrintJson(Json{{"command", "sign"}, {"key_id", id},
                   {"files", std::move(files)}, {"exit_status", status}});
  }
  return status;
}

int RunDigest(const std::vector<std::string>& args) {
  const bool json = absl::GetFlag(FLAGS_json);
  int status = kExitOk;
  Json files = Json::array();
  for (const std::string& path : args) {
    absl::StatusOr<internal::FileHashes> hashes = HashPath(path, kForDigest);
    if (!hashes.ok()) {
      status = kExitUsage;
      if (json) {
        files.push_back(Json{{"path", path}, {"error", hashes.status().message()}});
      } else {
        PrintError("digest", hashes.status());
      }
      continue;
    }
    const std::string hex = internal::HexDigest(*hashes->sha256);
    if (json) {
      files.push_back(Json{{"path", path}, {"sha256", hex}});
    } else if (path.find_first_of("\\\n") != std::string::npos) {
      // sha256sum's escape of such a name: a leading '\', then \\ and \n.
      std::string name;
      for (char c : path) name += c == '\\' ? "\\\\" : c == '\n' ? "\\n" : std::string(1, c);
      std::cout << "\\" << hex << "  " << name << "\n";
    } else {
      std::cout << hex << "  " << path << "\n";
    }
  }
  if (json) {
    PrintJson(Json{{"command", "digest"}, {"files", std::move(files)},
                   {"exit_status", status}});
  }
  return status;
}

}  // namespace preload::cli
