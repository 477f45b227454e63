// Small POSIX file helpers shared by the key stores (tokens, the evidence log, the evidence master
// key) and the sealed blob files: errors as Status values, an owning descriptor, whole reads and
// writes, durable creation. Stateless functions, safe for concurrent use; they block on disk.
#ifndef ODR_SERVER_COMMON_FILES_H_
#define ODR_SERVER_COMMON_FILES_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace odr::files {

// `what: <strerror>` with a code for `err`: ENOENT NOT_FOUND, EACCES/EPERM PERMISSION_DENIED,
// EEXIST ALREADY_EXISTS, ENOSPC/EDQUOT RESOURCE_EXHAUSTED, EIO/EROFS UNAVAILABLE, anything else
// INTERNAL.
absl::Status ErrnoStatus(int err, absl::string_view what);

// Owns a file descriptor (closed on destruction). Not thread-safe.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd();
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }
  // Closes now, returning what close() returns.
  int Close();

 private:
  int fd_;
};

// Reads up to `n` bytes at `offset`, stopping early only at end of file; returns the count.
// `path` is for messages.
absl::StatusOr<size_t> PreadUpTo(int fd, uint8_t* buf, size_t n, uint64_t offset,
                                 const std::string& path);
// Writes all of buf[0, n) at `offset`, retrying short writes and EINTR.
absl::Status PwriteAll(int fd, const uint8_t* buf, size_t n, uint64_t offset,
                       const std::string& path);

// The directory part of `path` ("." if none).
std::string DirOf(const std::string& path);
// Makes the entries of directory `dir` durable.
absl::Status FsyncDir(const std::string& dir);

// Reads the regular file `path` of at most `max_bytes` into *out, wiping its scratch buffer (for
// key files). FAILED_PRECONDITION if it is not a regular file or is larger.
absl::Status ReadSecretFile(const std::string& path, size_t max_bytes, std::string* out);

// Creates `path` (mode 0600) holding `data` only if nothing is there: writes a temporary file,
// fsyncs it, link()s it to `path` (which never replaces a file) and fsyncs the directory. So a
// crash never leaves a partial file at `path`, and of two processes racing, one wins.
// ALREADY_EXISTS if `path` exists.
absl::Status CreateFileExclusively(const std::string& path, absl::string_view data);

// The secret in the file at `path` (at most `max_bytes`, read as ReadSecretFile does), created
// with make() (CreateFileExclusively) if there is none; of two processes racing, both get the one
// that was written. Errors name the file.
absl::StatusOr<std::string> LoadOrCreateSecretFile(
    const std::string& path, size_t max_bytes,
    const std::function<absl::StatusOr<std::string>()>& make);

}  // namespace odr::files

#endif  // ODR_SERVER_COMMON_FILES_H_
