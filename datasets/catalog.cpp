#include "datasets/catalog.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/errors.h"
#include "core/number_format.h"
#include "datasets/text_parse.h"

namespace seqrec {
namespace fs = std::filesystem;

namespace {

std::optional<std::string> catalog_in_ancestors(fs::path dir) {
  std::error_code ec;
  while (!dir.empty()) {
    const fs::path candidate = dir / "datasets" / "catalog.json";
    if (fs::is_regular_file(candidate, ec)) return candidate.string();
    if (dir == dir.parent_path()) break;
    dir = dir.parent_path();
  }
  return std::nullopt;
}

void read_get_section(const nlohmann::json& get, CatalogEntry& entry) {
  entry.converter = get.at("converter").get<std::string>();
  entry.licence = get.at("licence").get<std::string>();
  for (const auto& [role, info] : get.at("sources").items()) {
    SourceFile file;
    file.url = info.at("url").get<std::string>();
    file.sha256 = info.at("sha256").get<std::string>();
    file.bytes = info.value("bytes", int64_t{-1});
    entry.sources.push_back({role, file});
  }
}

}  // namespace

std::optional<std::string> find_catalog_file() {
  std::error_code ec;
  if (const char* env = std::getenv("SEQREC_CATALOG"); env && *env) {
    if (fs::is_regular_file(env, ec)) return std::string(env);
  }
#ifdef SEQREC_CATALOG_FILE
  if (fs::is_regular_file(SEQREC_CATALOG_FILE, ec)) return std::string(SEQREC_CATALOG_FILE);
#endif
#ifdef SEQREC_SOURCE_DIR
  if (auto found = catalog_in_ancestors(SEQREC_SOURCE_DIR)) return found;
#endif
  // The binary normally lives in a build folder inside the source tree.
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    if (auto found = catalog_in_ancestors(exe.parent_path())) return found;
  }
  if (auto found = catalog_in_ancestors(fs::current_path(ec))) return found;
  // Last resort: beside this source file, when the binary was built from a source tree.
  const fs::path beside_source = fs::path(__FILE__).parent_path() / "catalog.json";
  if (fs::is_regular_file(beside_source, ec)) return beside_source.string();
  return std::nullopt;
}

std::vector<CatalogEntry> read_catalog(const std::string& path) {
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(read_whole_file(path));
  } catch (const nlohmann::json::parse_error& e) {
    throw InputError(path + ": invalid JSON: " + e.what());
  }
  if (!json.is_object() || !json.contains("datasets") || !json["datasets"].is_object()) {
    throw InputError(path + ": expected an object with key \"datasets\"");
  }
  std::vector<CatalogEntry> entries;
  for (const auto& [name, value] : json["datasets"].items()) {
    const std::string where = path + ": key \"datasets." + name + "\"";
    try {
      CatalogEntry entry;
      entry.name = name;
      entry.description = value.at("description").get<std::string>();
      entry.source = value.at("source").get<std::string>();
      entry.original_data = value.at("original_data").get<std::string>();
      entry.format = value.at("format").get<std::string>();
      entry.install = value.value("install", std::string());
      entry.users = value.at("users").get<int64_t>();
      entry.items = value.at("items").get<int64_t>();
      entry.interactions = value.at("interactions").get<int64_t>();
      for (const auto& [file, info] : value.at("files").items()) {
        CatalogFile f;
        f.name = file;
        if (!info.at("sha256").is_null()) f.sha256 = info.at("sha256").get<std::string>();
        entry.files.push_back(std::move(f));
      }
      if (value.contains("get")) read_get_section(value.at("get"), entry);
      entries.push_back(std::move(entry));
    } catch (const nlohmann::json::exception& e) {
      throw InputError(where + ": " + e.what());
    }
  }
  return entries;
}

std::optional<CatalogEntry> find_catalog_entry(const std::string& name) {
  try {
    const auto path = find_catalog_file();
    if (!path) return std::nullopt;
    for (CatalogEntry& entry : read_catalog(*path)) {
      if (entry.name == name) return std::move(entry);
    }
  } catch (const std::exception&) {
    // A broken catalog must not hide the error the caller is about to report.
  }
  return std::nullopt;
}

std::vector<std::string> catalog_names() {
  std::vector<std::string> names;
  try {
    if (const auto path = find_catalog_file())
      for (const auto& entry : read_catalog(*path)) names.push_back(entry.name);
  } catch (const std::exception&) {
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string describe_catalog_entry(const CatalogEntry& entry) {
  std::string s = "'" + entry.name + "' is a known public dataset: " + entry.description + "\n";
  s += "  source: " + entry.source + "\n";
  s += "  original data: " + entry.original_data + "\n";
  s += "  expected: " + format_with_thousands(entry.users) + " users, " +
       format_with_thousands(entry.items) + " items, " + format_with_thousands(entry.interactions) +
       " interactions\n";
  if (!entry.sources.empty())
    s += "  get it: seqrec dataset get " + entry.name +
         " (into $SEQREC_DATA's first folder or ./data)\n";
  else if (!entry.install.empty())
    s += "  install: " + entry.install + "\n";
  return s;
}

}  // namespace seqrec
