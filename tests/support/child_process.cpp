#include "child_process.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <tuple>

extern char** environ;

namespace pgqrs::testing {

namespace {
/// Starts `path` with `args` (argv[1..]); each (fd, file, flags) of `redirects` is opened in the child first.
pid_t spawn(const std::string& path, const std::vector<std::string>& args,
            const std::vector<std::tuple<int, std::string, int>>& redirects) {
  std::vector<std::string> all{path};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  for (const auto& [fd, file, flags] : redirects) posix_spawn_file_actions_addopen(&actions, fd, file.c_str(), flags, 0644);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, path.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("posix_spawn of " + path + " failed");
  return pid;
}

constexpr int write_flags = O_WRONLY | O_CREAT | O_TRUNC;

std::string read_and_remove(const std::filesystem::path& path) {
  std::ostringstream text;
  text << std::ifstream(path).rdbuf();
  std::filesystem::remove(path);
  return text.str();
}
}  // namespace

pid_t spawn_self(const std::vector<std::string>& args, const std::string& stdout_path) {
  const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
  std::vector<std::tuple<int, std::string, int>> redirects;
  if (!stdout_path.empty()) redirects.emplace_back(1, stdout_path, write_flags);
  return spawn(self, args, redirects);
}

int wait_for(pid_t pid) {
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) throw std::runtime_error("waitpid failed");
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

program_result run_program(const std::string& path, const std::vector<std::string>& args) {
  // Files, not pipes: reading two pipes in turn can deadlock once the other one's buffer is full.
  static int runs = 0;
  const auto base = std::filesystem::temp_directory_path() /
                    ("pgqrs-run-" + std::to_string(::getpid()) + "-" + std::to_string(runs++));
  const std::string out_path = base.string() + ".out";
  const std::string err_path = base.string() + ".err";
  const pid_t pid = spawn(path, args, {{0, "/dev/null", O_RDONLY}, {1, out_path, write_flags}, {2, err_path, write_flags}});
  program_result result;
  result.exit_code = wait_for(pid);
  result.out = read_and_remove(out_path);
  result.err = read_and_remove(err_path);
  return result;
}

}  // namespace pgqrs::testing
