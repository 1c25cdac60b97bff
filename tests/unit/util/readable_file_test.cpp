#include "sidecar/util/readable_file.hpp"

#include <fstream>
#include <functional>
#include <string>

#include <fmt/format.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace pushsync {
namespace {

constexpr uid_t nobody = 65534;

// Runs `read` as a user that does not own the test's files: as root (which
// reads everything) in a child switched to nobody, otherwise right here.
// Returns what it returned and the uid/gid it ran as.
struct AsOther {
  std::string text;
  uid_t uid;
  gid_t gid;
};
AsOther as_other_user(const std::function<std::string()>& reader) {
  if (getuid() != 0) return {reader(), getuid(), getgid()};
  int out[2];
  if (pipe(out) != 0) throw std::runtime_error("pipe");
  pid_t pid = fork();
  if (pid == 0) {
    close(out[0]);
    if (setgroups(0, nullptr) != 0 || setgid(nobody) != 0 || setuid(nobody) != 0) _exit(3);
    std::string text = reader();
    (void)!write(out[1], text.data(), text.size());
    _exit(0);
  }
  close(out[1]);
  std::string text;
  char buffer[512];
  for (ssize_t n; (n = read(out[0], buffer, sizeof buffer)) > 0;) text.append(buffer, static_cast<size_t>(n));
  close(out[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) throw std::runtime_error("the child could not switch users");
  return {text, nobody, nobody};
}

std::string private_file(mode_t mode) {
  std::string dir = ::testing::TempDir() + "readable_file_test";
  mkdir(dir.c_str(), 0755);
  chmod(dir.c_str(), 0755);  // nobody may search it, not read the file
  std::string path = dir + "/secret";
  std::ofstream(path) << "s3cret\n";
  chmod(path.c_str(), mode);
  return path;
}

TEST(ReadableFile, PermissionDeniedNamesTheProcessUidAndTheFileOwnerAndMode) {
  std::string path = private_file(getuid() == 0 ? 0600 : 0000);
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  auto got = as_other_user([&] { return read_file_text(path).why; });
  EXPECT_EQ(got.text, fmt::format("permission denied (pushsync runs as uid {}, gid {}; the file is owned by uid {}, "
                                  "gid {}, mode {:04o})",
                                  got.uid, got.gid, st.st_uid, st.st_gid, st.st_mode & 07777));
}

TEST(ReadableFile, AFileThatCannotBeReadSaysWhy) {
  auto missing = read_file_text("/nonexistent/secret");
  EXPECT_EQ(missing.text, std::nullopt);
  EXPECT_EQ(missing.why, "no such file");
  EXPECT_EQ(read_file_text("/").why, "it is a directory");
  EXPECT_EQ(unreadable("/").value_or("readable"), "it is a directory");
}

TEST(ReadableFile, AReadableFileIsReadWhole) {
  std::string path = private_file(0600);
  EXPECT_EQ(unreadable(path), std::nullopt);
  EXPECT_EQ(read_file_text(path).text, "s3cret\n");
}

TEST(ReadableFile, ADeviceThatNeverEndsIsRefusedNotReadForever) {
  auto zero = read_file_text("/dev/zero");
  EXPECT_EQ(zero.text, std::nullopt);
  EXPECT_EQ(zero.why, "larger than 4 MiB: not a config or secret file");
}

}  // namespace
}  // namespace pushsync
