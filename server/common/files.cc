#include "server/common/files.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <system_error>

#include "absl/strings/str_cat.h"

namespace odr::files {

absl::Status ErrnoStatus(int err, absl::string_view what) {
  std::string msg =
      absl::StrCat(what, ": ", std::error_code(err, std::generic_category()).message());
  switch (err) {
    case ENOENT:
      return absl::NotFoundError(msg);
    case EACCES:
    case EPERM:
      return absl::PermissionDeniedError(msg);
    case EEXIST:
      return absl::AlreadyExistsError(msg);
    case ENOSPC:
    case EDQUOT:
      return absl::ResourceExhaustedError(msg);
    case EIO:
    case EROFS:
      return absl::UnavailableError(msg);
    default:
      return absl::InternalError(msg);
  }
}

Fd::~Fd() {
  if (fd_ >= 0) ::close(fd_);
}

int Fd::Close() { return ::close(std::exchange(fd_, -1)); }

absl::StatusOr<size_t> PreadUpTo(int fd, uint8_t* buf, size_t n, uint64_t offset,
                                 const std::string& path) {
  size_t done = 0;
  while (done < n) {
    const ssize_t got = ::pread(fd, buf + done, n - done, static_cast<off_t>(offset + done));
    if (got < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, absl::StrCat("cannot read ", path));
    }
    if (got == 0) break;
    done += static_cast<size_t>(got);
  }
  return done;
}

absl::Status PwriteAll(int fd, const uint8_t* buf, size_t n, uint64_t offset,
                       const std::string& path) {
  size_t done = 0;
  while (done < n) {
    const ssize_t put = ::pwrite(fd, buf + done, n - done, static_cast<off_t>(offset + done));
    if (put < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, absl::StrCat("cannot write ", path));
    }
    done += static_cast<size_t>(put);
  }
  return absl::OkStatus();
}

std::string DirOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

absl::Status FsyncDir(const std::string& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return ErrnoStatus(errno, absl::StrCat("cannot open directory ", dir));
  if (::fsync(fd.get()) != 0) {
    return ErrnoStatus(errno, absl::StrCat("cannot fsync directory ", dir));
  }
  return absl::OkStatus();
}

absl::Status ReadSecretFile(const std::string& path, size_t max_bytes, std::string* out) {
  out->clear();
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return ErrnoStatus(errno, absl::StrCat("cannot open ", path));
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return ErrnoStatus(errno, absl::StrCat("cannot stat ", path));
  if (!S_ISREG(st.st_mode)) {
    return absl::FailedPreconditionError(absl::StrCat(path, " is not a regular file"));
  }
  std::string buf(max_bytes + 1, '\0');
  auto got = PreadUpTo(fd.get(), reinterpret_cast<uint8_t*>(buf.data()), buf.size(), 0, path);
  absl::Status status = got.status();
  if (status.ok() && *got > max_bytes) {
    status =
        absl::FailedPreconditionError(absl::StrCat(path, " is larger than ", max_bytes, " bytes"));
  }
  if (status.ok()) out->assign(buf.data(), *got);
  OPENSSL_cleanse(buf.data(), buf.size());
  return status;
}

absl::Status CreateFileExclusively(const std::string& path, absl::string_view data) {
  std::string tmp = absl::StrCat(path, ".tmp-XXXXXX");
  Fd fd(::mkostemp(tmp.data(), O_CLOEXEC));  // O_CREAT | O_EXCL, mode 0600
  if (fd.get() < 0) return ErrnoStatus(errno, absl::StrCat("cannot create ", tmp));
  auto fail = [&](absl::Status status) {
    ::unlink(tmp.c_str());
    return status;
  };
  if (::fchmod(fd.get(), 0600) != 0) {
    return fail(ErrnoStatus(errno, absl::StrCat("cannot chmod ", tmp)));
  }
  if (absl::Status s =
          PwriteAll(fd.get(), reinterpret_cast<const uint8_t*>(data.data()), data.size(), 0, tmp);
      !s.ok()) {
    return fail(s);
  }
  if (::fsync(fd.get()) != 0) return fail(ErrnoStatus(errno, absl::StrCat("cannot fsync ", tmp)));
  if (fd.Close() != 0) return fail(ErrnoStatus(errno, absl::StrCat("cannot close ", tmp)));
  if (::link(tmp.c_str(), path.c_str()) != 0) {
    return fail(ErrnoStatus(errno, absl::StrCat("cannot create ", path)));
  }
  ::unlink(tmp.c_str());
  return FsyncDir(DirOf(path));
}

absl::StatusOr<std::string> LoadOrCreateSecretFile(
    const std::string& path, size_t max_bytes,
    const std::function<absl::StatusOr<std::string>()>& make) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::string secret;
    absl::Status read = ReadSecretFile(path, max_bytes, &secret);
    if (read.ok()) return secret;
    if (!absl::IsNotFound(read)) return read;
    absl::StatusOr<std::string> fresh = make();
    if (!fresh.ok()) return fresh.status();
    absl::Status created = CreateFileExclusively(path, *fresh);
    if (created.ok()) return fresh;
    OPENSSL_cleanse(fresh->data(), fresh->size());
    if (!absl::IsAlreadyExists(created)) return created;
    // Another process created it meanwhile: read theirs.
  }
  return absl::InternalError(absl::StrCat(path, ": cannot load or create the secret"));
}

}  // namespace odr::files
