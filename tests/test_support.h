#pragma once
// Helpers shared by the test suites: where the data is, scratch folders, running the CLI.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

namespace seqrec::testing {

inline std::string source_dir() { return SEQREC_SOURCE_DIR; }

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A whole file as bytes; "" when it cannot be read.
inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// ../shared/datasets/NAME beside the repository (CI puts shared/ there).
inline std::string shared_dataset(const std::string& name) {
  return source_dir() + "/../shared/datasets/" + name;
}

// A fresh, empty folder under the system temp dir, removed when the object dies.
class ScratchDir {
 public:
  ScratchDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("seqrec-test-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  std::string path() const { return path_.string(); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  // Writes `content` to NAME inside the folder and returns its path.
  std::string write(const std::string& name, const std::string& content) const {
    auto p = path_ / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p) << content;
    return p.string();
  }

 private:
  std::filesystem::path path_;
};

struct CliResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Runs the seqrec binary with `args` (shell-quoted by the caller) and captures its output;
// `env` ("NAME=value ...", shell-quoted) sets environment variables for it.
inline CliResult run_cli_with_env(const std::string& env, const std::string& args) {
  ScratchDir scratch;
  std::string out = scratch.file("out.txt");
  std::string cmd = env + " " + std::string(SEQREC_BINARY) + " " + args + " >" + out + " 2>&1";
  int status = std::system(cmd.c_str());
  CliResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream in(out);
  std::stringstream ss;
  ss << in.rdbuf();
  r.output = ss.str();
  return r;
}

inline CliResult run_cli(const std::string& args) { return run_cli_with_env("", args); }

}  // namespace seqrec::testing
