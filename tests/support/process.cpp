#include "tests/support/process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace pushsync::test {

namespace {

// Config files and captured output of one test binary; removed at exit.
struct TempDir {
  std::string path;
  TempDir() {
    char pattern[] = "/tmp/pushsync-files-XXXXXX";
    if (!mkdtemp(pattern)) throw std::runtime_error("mkdtemp failed");
    path = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

const std::string& temp_dir() {
  static TempDir dir;
  return dir.path;
}

int decode(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return -WTERMSIG(status);
  return -1000;
}

}  // namespace

Process::Process(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                 long open_files) {
  std::vector<std::string> argv_text{PUSHSYNC_BINARY};
  if (open_files > 0)  // the shell execs pushsync: same pid
    argv_text = {"/bin/sh", "-c", "ulimit -n " + std::to_string(open_files) + " && exec \"$0\" \"$@\"", PUSHSYNC_BINARY};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  start(std::move(argv_text), env);
}

Process::Process(Program program) { start(std::move(program.argv), {}); }

void Process::start(std::vector<std::string> argv_text, const std::map<std::string, std::string>& env) {
  static int counter = 0;
  std::string base = temp_dir() + "/proc" + std::to_string(++counter);
  out_file_ = base + ".out";
  err_file_ = base + ".err";
  std::vector<char*> argv;
  for (auto& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);

  std::vector<std::string> env_text;
  for (char** e = environ; *e; ++e) {
    std::string entry(*e);
    if (!env.count(entry.substr(0, entry.find('=')))) env_text.push_back(entry);
  }
  for (const auto& [k, v] : env) env_text.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& e : env_text) envp.push_back(e.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  int rc = posix_spawnp(&pid_, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + argv_text[0]);
}

Process::~Process() {
  if (running()) kill9();
}

bool Process::running() {
  if (status_ != -1) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) {
    status_ = status;
    return false;
  }
  return true;
}

int Process::wait() {
  if (status_ == -1) waitpid(pid_, &status_, 0);
  return decode(status_);
}

int Process::terminate() {
  if (!running()) return wait();
  kill(pid_, SIGTERM);
  kill(pid_, SIGCONT);  // a stopped process acts on SIGTERM only once resumed
  // A sidecar that does not stop is a failure to report, not a test to hang.
  if (!eventually([&] { return !running(); }, std::chrono::seconds(30))) kill9();
  return wait();
}

void Process::kill9() {
  if (running()) kill(pid_, SIGKILL);
  wait();
}

void Process::signal(int sig) {
  if (running()) kill(pid_, sig);
}

std::string Process::out() const { return read_file(out_file_); }
std::string Process::err() const { return read_file(err_file_); }

Result run_pushsync(const std::vector<std::string>& args, const std::map<std::string, std::string>& env) {
  Process p(args, env);
  int code = p.wait();
  return {code, p.out(), p.err()};
}

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string write_temp_file(const std::string& name, const std::string& text) {
  static int counter = 0;
  std::string path = temp_dir() + "/" + std::to_string(++counter) + "-" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

std::vector<nlohmann::json> json_lines(const std::string& path) {
  std::vector<nlohmann::json> out;
  std::string text = read_file(path);
  text.erase(text.find_last_of('\n') + 1);  // a last line still being written is not a line yet
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) out.push_back(nlohmann::json::parse(line));
  return out;
}

std::size_t complete_lines(const std::string& path) {
  std::string text = read_file(path);
  std::size_t n = 0;
  for (std::size_t at = 0, end; (end = text.find('\n', at)) != std::string::npos; at = end + 1) n += end > at;
  return n;
}

int occurrences(const std::string& text, const std::string& part) {
  int n = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

long Process::status_kb(const std::string& name) const {
  std::ifstream status("/proc/" + std::to_string(pid_) + "/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind(name + ":", 0) == 0) return std::stol(line.substr(name.size() + 1));
  return -1;
}

}  // namespace pushsync::test
