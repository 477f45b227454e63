// Small helpers shared by the fuzz targets: a scratch directory that is removed at exit, and a
// check that aborts (so libFuzzer keeps the input) with a message naming the broken invariant.
#ifndef ODR_TESTS_FUZZ_FUZZ_UTIL_H_
#define ODR_TESTS_FUZZ_FUZZ_UTIL_H_

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>

namespace odr::fuzz {

// Aborts the process with `what` on stderr unless `ok`: a fuzz finding.
inline void Check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
  std::abort();
}

// A fresh directory under /dev/shm (memory: fsync costs nothing) or $TMPDIR, removed when the
// object dies; the process's fuzz targets keep one in a static, so it goes at exit.
class ScratchDir {
 public:
  ScratchDir() {
    std::error_code ec;
    std::filesystem::path base =
        std::filesystem::is_directory("/dev/shm", ec) && ::access("/dev/shm", W_OK) == 0
            ? std::filesystem::path("/dev/shm")
            : std::filesystem::temp_directory_path();
    std::string tmpl = (base / "odr-fuzz-XXXXXX").string();
    Check(::mkdtemp(tmpl.data()) != nullptr, "mkdtemp failed");
    path_ = tmpl;
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace odr::fuzz

#endif  // ODR_TESTS_FUZZ_FUZZ_UTIL_H_
