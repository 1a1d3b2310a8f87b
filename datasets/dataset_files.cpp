#include "datasets/dataset_files.h"

#include <filesystem>
#include <vector>

namespace seqrec {
namespace fs = std::filesystem;

namespace {

std::string folder_name(const fs::path& dir) {
  fs::path p = fs::absolute(dir).lexically_normal();
  if (p.filename().empty()) p = p.parent_path();
  return p.filename().string();
}

std::string if_exists(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec) ? p.string() : std::string();
}

}  // namespace

std::optional<DatasetFiles> find_dataset_files(const std::string& directory) {
  std::error_code ec;
  const fs::path dir(directory);
  if (!fs::is_directory(dir, ec)) return std::nullopt;
  const std::string base = folder_name(dir);

  std::vector<fs::path> inter_files, txt_files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (!entry.is_regular_file(ec)) continue;
    if (entry.path().extension() == ".inter") inter_files.push_back(entry.path());
    if (entry.path().extension() == ".txt") txt_files.push_back(entry.path());
  }

  fs::path inter = dir / (base + ".inter");
  if (if_exists(inter).empty() && inter_files.size() == 1) inter = inter_files.front();
  if (!if_exists(inter).empty()) {
    DatasetFiles files;
    files.format = DatasetFiles::Format::Atomic;
    files.name = inter.stem().string();
    files.interactions = inter.string();
    files.items = if_exists(inter.parent_path() / (files.name + ".item"));
    return files;
  }

  auto sequence_files = [&](const fs::path& txt) {
    DatasetFiles files;
    files.format = DatasetFiles::Format::SequenceFile;
    files.name = txt.stem().string();
    files.interactions = txt.string();
    files.items = if_exists(txt.parent_path() / (files.name + "_item2attributes.json"));
    return files;
  };
  if (!if_exists(dir / (base + ".txt")).empty()) return sequence_files(dir / (base + ".txt"));
  std::vector<fs::path> with_attributes;
  for (const fs::path& txt : txt_files) {
    if (!if_exists(dir / (txt.stem().string() + "_item2attributes.json")).empty()) {
      with_attributes.push_back(txt);
    }
  }
  if (with_attributes.size() == 1) return sequence_files(with_attributes.front());
  return std::nullopt;
}

}  // namespace seqrec
