#include "datasets/dataset_lookup.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "core/errors.h"
#include "datasets/catalog.h"
#include "datasets/dataset.h"
#include "datasets/dataset_files.h"

namespace seqrec {
namespace fs = std::filesystem;

namespace {

void add_unique(std::vector<std::string>& dirs, const fs::path& dir) {
  std::string normal = fs::absolute(dir).lexically_normal().string();
  if (normal.size() > 1 && normal.back() == '/') normal.pop_back();
  if (std::find(dirs.begin(), dirs.end(), normal) == dirs.end()) dirs.push_back(normal);
}

void add_shared_beside_ancestors(std::vector<std::string>& dirs, fs::path dir) {
  while (!dir.empty()) {
    add_unique(dirs, dir / ".." / "shared" / "datasets");
    if (dir == dir.parent_path()) break;
    dir = dir.parent_path();
  }
}

}  // namespace

std::vector<std::string> dataset_search_dirs() {
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("SEQREC_DATA"); env && *env) {
    std::string list(env);
    size_t start = 0;
    while (start <= list.size()) {
      size_t end = list.find(':', start);
      if (end == std::string::npos) end = list.size();
      if (end > start) add_unique(dirs, list.substr(start, end - start));
      start = end + 1;
    }
  }
  std::error_code ec;
  const fs::path cwd = fs::current_path(ec);
  add_unique(dirs, cwd / "data");
  add_unique(dirs, cwd / ".." / "shared" / "datasets");
  add_shared_beside_ancestors(dirs, cwd);
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) add_shared_beside_ancestors(dirs, exe.parent_path());
  return dirs;
}

std::string resolve_dataset_dir(const std::string& name_or_path) {
  if (name_or_path.empty()) throw InputError("dataset: empty name or path");
  std::error_code ec;
  if (fs::is_directory(name_or_path, ec)) return name_or_path;
  const bool looks_like_path = name_or_path.find('/') != std::string::npos;
  if (looks_like_path) {
    throw InputError(name_or_path + ": no such dataset folder");
  }
  const std::vector<std::string> dirs = dataset_search_dirs();
  for (const std::string& dir : dirs) {
    const fs::path candidate = fs::path(dir) / name_or_path;
    if (find_dataset_files(candidate.string())) return candidate.string();
  }
  std::string message = "dataset '" + name_or_path + "' not found: looked for " + name_or_path +
                        "/" + name_or_path + ".inter (or an S3Rec " + name_or_path + ".txt) in:\n";
  for (const std::string& dir : dirs) message += "  " + dir + "\n";
  message += "Set SEQREC_DATA=DIR1:DIR2 or pass a folder path.\n";
  if (const auto entry = find_catalog_entry(name_or_path)) {
    message += describe_catalog_entry(*entry);
  } else {
    message += "'" + name_or_path + "' is not in the dataset catalog (datasets/catalog.json).\n";
  }
  message.pop_back();
  throw InputError(message);
}

}  // namespace seqrec
