// Docs checker: every command in the ```sh blocks of README.md and docs/*.md runs as written
// from the repository root, or is listed in the table "Commands the docs checker does not run"
// of docs/reproducing.md with the tests that cover it, and then at least parses.
//
// Commands run in a scratch checkout: symlinks to the sources, a symlink copy of results/
// (new files land in the scratch folder), empty data/ and runs/, build/seqrec pointing at the
// binary under test and ../shared beside it, so nothing lands in the real checkout.
#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "models/registry.h"
#include "test_support.h"

using namespace seqrec::testing;
namespace fs = std::filesystem;

namespace {

constexpr int kCommandTimeoutSeconds = 120;

struct DocCommand {
  std::string where;  // FILE:LINE
  std::string text;
};

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  BOOST_REQUIRE_MESSAGE(in, "cannot read " << path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

// Collapses runs of blanks so a command matches its table row however it was wrapped.
std::string normalise(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == ' ' || c == '\t') {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  return trim(out);
}

// Cuts a shell comment: '#' at the start or after a blank, outside quotes.
std::string strip_comment(const std::string& line) {
  char quote = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) {
      return line.substr(0, i);
    }
  }
  return line;
}

bool is_command_fence(const std::string& line) {
  const std::string t = trim(line);
  return t == "```sh" || t == "```bash" || t == "```shell" || t == "```console";
}

// Every command of every shell block of one Markdown file; backslash continuations joined.
std::vector<DocCommand> commands_in(const fs::path& file, const std::string& shown_as) {
  std::vector<DocCommand> out;
  std::istringstream in(read_text(file));
  std::string line, pending, pending_where;
  bool in_block = false;
  for (int number = 1; std::getline(in, line); ++number) {
    if (!in_block) {
      in_block = is_command_fence(line);
      continue;
    }
    if (trim(line).rfind("```", 0) == 0) {
      BOOST_TEST(pending.empty(), shown_as << ":" << number << ": block ends inside a command");
      in_block = false;
      continue;
    }
    std::string text = trim(strip_comment(line));
    if (pending.empty()) pending_where = shown_as + ":" + std::to_string(number);
    const bool continues = !text.empty() && text.back() == '\\';
    if (continues) text.pop_back();
    pending += (pending.empty() ? "" : " ") + text;
    if (continues) continue;
    if (!trim(pending).empty()) out.push_back({pending_where, normalise(pending)});
    pending.clear();
  }
  return out;
}

std::vector<DocCommand> documented_commands() {
  const fs::path root = source_dir();
  std::vector<DocCommand> all = commands_in(root / "README.md", "README.md");
  std::vector<fs::path> docs;
  for (const auto& entry : fs::directory_iterator(root / "docs"))
    if (entry.path().extension() == ".md") docs.push_back(entry.path());
  std::sort(docs.begin(), docs.end());
  for (const auto& doc : docs) {
    auto more = commands_in(doc, "docs/" + doc.filename().string());
    all.insert(all.end(), more.begin(), more.end());
  }
  return all;
}

// Rows of the table under the heading "Commands the docs checker does not run" in
// docs/reproducing.md: command -> the tests named in the row's last cell.
std::map<std::string, std::vector<std::string>> listed_commands() {
  std::map<std::string, std::vector<std::string>> rows;
  std::istringstream in(read_text(fs::path(source_dir()) / "docs" / "reproducing.md"));
  std::string line;
  bool in_section = false;
  const std::regex code("`([^`]+)`");
  while (std::getline(in, line)) {
    if (line.rfind("#", 0) == 0) {
      in_section = line.find("Commands the docs checker does not run") != std::string::npos;
      continue;
    }
    if (!in_section || line.rfind("| `", 0) != 0) continue;
    const auto first_end = line.find("` |");
    BOOST_REQUIRE_MESSAGE(first_end != std::string::npos, "bad table row: " << line);
    const std::string command = normalise(line.substr(3, first_end - 3));
    const std::string last_cell = line.substr(line.rfind('|', line.size() - 2));
    std::vector<std::string> tests;
    for (std::sregex_iterator it(last_cell.begin(), last_cell.end(), code), end; it != end; ++it)
      tests.push_back((*it)[1]);
    rows[command] = tests;
  }
  BOOST_REQUIRE_MESSAGE(!rows.empty(), "docs/reproducing.md has no table of unrun commands");
  return rows;
}

// `suite` or `suite/case`: a Boost.Test suite file (or a CTest script folder) and test case.
bool test_exists(const std::string& name) {
  const fs::path tests = fs::path(source_dir()) / "tests";
  const auto slash = name.find('/');
  const std::string suite = name.substr(0, slash);
  const fs::path file = tests / (suite + "_test.cpp");
  if (slash == std::string::npos) return fs::exists(file) || fs::is_directory(tests / suite);
  return fs::exists(file) && read_text(file).find("BOOST_AUTO_TEST_CASE(" + name.substr(slash + 1) +
                                                  ")") != std::string::npos;
}

// Recreates the folders of `from` under `to` with a symlink per file. Sweeps may be writing
// into results/ meanwhile: an entry that vanishes during the walk is skipped.
void link_tree(const fs::path& from, const fs::path& to) {
  fs::create_directories(to);
  std::error_code ec;
  for (fs::directory_iterator it(from, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code entry_ec;
    const fs::path target = to / it->path().filename();
    if (it->is_directory(entry_ec))
      link_tree(it->path(), target);
    else
      fs::create_symlink(it->path(), target, entry_ec);
  }
}

// A scratch checkout; see the comment at the top.
class ScratchCheckout {
 public:
  ScratchCheckout() {
    const fs::path source = fs::canonical(source_dir());
    checkout_ = fs::path(root_.path()) / "seqrec";
    fs::create_directories(checkout_ / "build");
    fs::create_directories(checkout_ / "data");
    fs::create_directories(checkout_ / "runs");
    fs::create_directory_symlink(fs::weakly_canonical(source / ".." / "shared"),
                                 fs::path(root_.path()) / "shared");
    fs::create_symlink(fs::canonical(SEQREC_BINARY), checkout_ / "build" / "seqrec");
    for (const auto& entry : fs::directory_iterator(source)) {
      const std::string name = entry.path().filename().string();
      if (name == "results" || name == "data" || name == "runs" || name == ".git" ||
          name.rfind("build", 0) == 0)
        continue;
      fs::create_symlink(entry.path(), checkout_ / name);
    }
    link_tree(source / "results", checkout_ / "results");
  }
  const fs::path& path() const { return checkout_; }

  // Runs `command` with bash in the scratch checkout, under a time limit.
  CliResult run(const std::string& command) const {
    std::string quoted;
    for (char c : command) quoted += (c == '\'') ? std::string("'\\''") : std::string(1, c);
    const std::string log = root_.file("command.log");
    const std::string line = "cd '" + checkout_.string() + "' && timeout " +
                             std::to_string(kCommandTimeoutSeconds) + " bash -c '" + quoted +
                             "' >'" + log + "' 2>&1";
    const int status = std::system(line.c_str());
    CliResult r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.output = read_text(log);
    return r;
  }

 private:
  ScratchDir root_;
  fs::path checkout_;
};

std::vector<std::string> words(const std::string& command) {
  std::istringstream in(command);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.rfind(prefix, 0) == 0;
}

std::string tail(const std::string& output) {
  return output.size() > 1500 ? "..." + output.substr(output.size() - 1500) : output;
}

// The check for a listed (long) command: proof that it parses and its inputs exist, without
// doing its work. Returns a description of what was checked.
std::string check_listed(const ScratchCheckout& co, const std::string& command) {
  const auto w = words(command);
  if (w.size() >= 2 && w[0] == "bash" && starts_with(w[1], "scripts/")) {
    // A setup/build/test script: its syntax (running it installs packages and builds).
    auto r = co.run("bash -n " + w[1]);
    BOOST_TEST(r.exit_code == 0, command << ": bash -n failed: " << r.output);
    return "bash -n";
  }
  if (w.size() >= 2 && w[0] == "build/seqrec" && w[1] == "train") {
    // Every option, model name, config file and --set key/value is validated before any work;
    // an unknown key appended last is then the first and only error.
    const std::string poison = "docs_check_unknown_key";
    auto r = co.run(command + " --set " + poison + "=1");
    BOOST_TEST(
        (r.exit_code == 2 && r.output.find("unknown key '" + poison + "'") != std::string::npos),
        command << ": does not parse: " << tail(r.output));
    // The dataset is only opened once training starts: open it now.
    for (size_t i = 2; i + 1 < w.size(); ++i)
      if (w[i] == "--dataset" || w[i] == "-d") {
        auto stats = co.run("build/seqrec dataset stats " + w[i + 1]);
        BOOST_TEST(stats.exit_code == 0, command << ": dataset: " << tail(stats.output));
      }
    return "options and keys validated";
  }
  if (w.size() >= 3 && w[0] == "build/seqrec" && w[1] == "sweep") {
    // --list loads the spec, checks every key of every trial against its model and exits.
    auto r = co.run(command + " --list");
    BOOST_TEST(r.exit_code == 0, command << " --list: " << tail(r.output));
    return "--list";
  }
  if (w.size() >= 3 && w[0] == "build/seqrec" && w[1] == "report") {
    // Its trial folders come from a long run; the options are checked on empty ones.
    for (size_t i = 2; i < w.size() && !starts_with(w[i], "-"); ++i)
      fs::create_directories(co.path() / w[i]);
    auto r = co.run(command);
    BOOST_TEST(r.exit_code == 0, command << ": " << tail(r.output));
    return "run on an empty trial folder";
  }
  if (w.size() >= 2 && w[0] == "build/seqrec_tests" && starts_with(w[1], "--run_test=")) {
    // A test run is checked by CTest itself; here: the suites it names exist.
    std::stringstream names(w[1].substr(std::string("--run_test=").size()));
    for (std::string name; std::getline(names, name, ',');)
      BOOST_TEST(test_exists(name), command << ": no test " << name);
    return "suite exists";
  }
  BOOST_ERROR(command << ": listed, but the checker has no parse check for this kind of command");
  return "";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(docs)

BOOST_AUTO_TEST_CASE(shell_blocks_are_found_and_joined) {
  ScratchDir dir;
  const auto file = dir.write("x.md",
                              "text\n```sh\nbuild/seqrec models   # list them\n"
                              "build/seqrec train --model pop \\\n    --dataset ml-100k\n\n```\n"
                              "```text\nseqrec models [NAME...]\n```\n");
  const auto commands = commands_in(file, "x.md");
  BOOST_REQUIRE_EQUAL(commands.size(), 2u);
  BOOST_TEST(commands[0].text == "build/seqrec models");
  BOOST_TEST(commands[1].text == "build/seqrec train --model pop --dataset ml-100k");
  BOOST_TEST(commands[1].where == "x.md:4");
  BOOST_TEST(strip_comment("echo 'a # b' # c") == "echo 'a # b' ");
}

BOOST_AUTO_TEST_CASE(every_registered_model_has_a_row_in_the_readme_model_table) {
  // The row is the one edit outside a new model's own files (docs/adding-a-model.md).
  const std::string readme = read_text(fs::path(SEQREC_SOURCE_DIR) / "README.md");
  for (const auto& name : seqrec::ModelRegistry::instance().names())
    BOOST_TEST(readme.find("| `" + name + "` |") != std::string::npos,
               "README.md's model table has no row for '" << name << "'");
}

BOOST_AUTO_TEST_CASE(every_listed_command_is_documented_and_names_existing_tests) {
  std::set<std::string> documented;
  for (const auto& c : documented_commands()) documented.insert(c.text);
  for (const auto& [command, tests] : listed_commands()) {
    BOOST_TEST_CONTEXT(command) {
      BOOST_TEST(documented.count(command) == 1u, "listed but in no shell block of the docs");
      BOOST_TEST(!tests.empty(), "names no test that covers it");
      for (const auto& t : tests) BOOST_TEST(test_exists(t), "no test " << t);
    }
  }
}

BOOST_AUTO_TEST_CASE(every_documented_command_runs_or_parses) {
  const auto commands = documented_commands();
  const auto listed = listed_commands();
  BOOST_TEST_REQUIRE(!commands.empty());
  ScratchCheckout checkout;
  std::set<std::string> done;  // a command shown twice runs once
  for (const auto& c : commands) {
    if (!done.insert(c.text).second) continue;
    const auto start = std::chrono::steady_clock::now();
    std::string how;
    BOOST_TEST_CONTEXT(c.where << ": " << c.text) {
      if (listed.count(c.text)) {
        how = check_listed(checkout, c.text);
      } else {
        auto r = checkout.run(c.text);
        BOOST_TEST(r.exit_code == 0,
                   "exit code " << r.exit_code
                                << (r.exit_code == 124 ? " (time limit: list it as long)" : "")
                                << "; output:\n"
                                << tail(r.output));
        how = "ran";
      }
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    BOOST_TEST_MESSAGE(c.where << " [" << how << ", " << seconds << " s] " << c.text);
  }
}

BOOST_AUTO_TEST_SUITE_END()
