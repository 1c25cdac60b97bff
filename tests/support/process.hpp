#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace pushsync::test {

// Another program to run (found on PATH), for the fakes written in JavaScript.
struct Program {
  std::vector<std::string> argv;
};

// A pushsync binary (or a Program) running as a child process, output captured in files.
class Process {
 public:
  // `open_files`: when > 0, the soft and hard RLIMIT_NOFILE it starts with.
  Process(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {},
          long open_files = 0);
  explicit Process(Program program);
  ~Process();  // SIGKILL if still running
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  // SIGTERM (resuming a stopped process), then the exit code (-signal if
  // killed); SIGKILL (-9) if it has not ended 30 s later.
  int terminate();
  void kill9();
  void signal(int sig);  // e.g. SIGSTOP / SIGCONT
  int wait();       // exit code once it ends by itself
  bool running();
  // The kernel's field `name` of /proc/<pid>/status, in kB ("VmHWM": peak RSS); -1 if gone.
  long status_kb(const std::string& name) const;
  std::string out() const;
  std::string err() const;

 private:
  void start(std::vector<std::string> argv, const std::map<std::string, std::string>& env);

  int pid_ = -1;
  int status_ = -1;
  std::string out_file_;
  std::string err_file_;
};

struct Result {
  int exit_code;
  std::string out;
  std::string err;
};

// Runs pushsync with `args` to the end.
Result run_pushsync(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {});

// Polls `condition` every 20 ms until it holds or `limit` passes. A limit
// is a deadline for a failing test, never a speed requirement.
bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds limit = std::chrono::seconds(15));

std::string read_file(const std::string& path);
std::string write_temp_file(const std::string& name, const std::string& text);  // returns the path

// The complete JSON lines a dry-run sidecar wrote to `path`.
std::vector<nlohmann::json> json_lines(const std::string& path);
// How many complete lines there are in `path` (without parsing them).
std::size_t complete_lines(const std::string& path);
// How many times `part` occurs in `text` (a log's lines that say something).
int occurrences(const std::string& text, const std::string& part);

}  // namespace pushsync::test
