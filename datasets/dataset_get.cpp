#include "datasets/dataset_get.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>

#include "core/atomic_write.h"
#include "core/errors.h"
#include "core/number_format.h"
#include "datasets/archive_members.h"
#include "datasets/download.h"
#include "datasets/source_conversion.h"
#include "datasets/text_parse.h"

namespace seqrec {

namespace fs = std::filesystem;

namespace {

// One line per second at most, and the last one, so a log file stays short.
DownloadProgress throttled_progress(const std::string& label,
                                    const std::function<void(const std::string&)>& log) {
  auto last = std::make_shared<std::chrono::steady_clock::time_point>();
  auto finished = std::make_shared<bool>(false);
  return [=](int64_t done, int64_t total) {
    const auto now = std::chrono::steady_clock::now();
    const bool complete = total > 0 && done >= total;
    if (done == 0 || *finished || (!complete && now - *last < std::chrono::seconds(1))) return;
    *last = now;
    *finished = complete;
    std::string line = "  " + label + ": " + printf_string("%.1f", done / 1e6) + " MB";
    if (total > 0)
      line += " of " + printf_string("%.1f", total / 1e6) + " MB (" +
              printf_string("%.0f", 100.0 * done / total) + "%)";
    log(line);
  };
}

std::string file_name_of(const std::string& url) { return url.substr(url.rfind('/') + 1); }

// The downloaded bytes of each source role, read after every download succeeded.
std::map<std::string, std::string> download_sources(const CatalogEntry& entry,
                                                    const std::string& downloads,
                                                    const DatasetGetOptions& o) {
  fs::create_directories(downloads);
  std::map<std::string, std::string> paths;
  for (const auto& source : entry.sources) {
    const std::string path = (fs::path(downloads) / file_name_of(source.file.url)).string();
    o.log("download " + mirrored_url(source.file.url, o.mirror));
    download_verified(source.file, o.mirror, path,
                      throttled_progress(file_name_of(source.file.url), o.log));
    paths[source.role] = path;
  }
  return paths;
}

AtomicFiles convert(const CatalogEntry& entry, const std::map<std::string, std::string>& paths) {
  auto text = [&](const std::string& role) { return read_whole_file(paths.at(role)); };
  auto optional_text = [&](const std::string& role) -> std::optional<std::string> {
    if (!paths.count(role)) return std::nullopt;
    return text(role);
  };
  if (entry.converter == "s3rec")
    return convert_s3rec({text("sequences"), text("item_attributes"), optional_text("timestamps"),
                          optional_text("title_lines"), optional_text("user_asins")});
  if (entry.converter == "movielens-100k")
    return convert_movielens_100k(
        read_archive_members(paths.at("archive"), {"u.data", "u.item", "u.genre"}));
  if (entry.converter == "movielens-1m")
    return convert_movielens_1m(
        read_archive_members(paths.at("archive"), {"ratings.dat", "movies.dat"}));
  throw InputError("catalog: dataset '" + entry.name + "' has an unknown converter '" +
                   entry.converter + "'");
}

// Users, items (rows of NAME.item) and interactions of converted files.
struct Counts {
  int64_t users = 0, items = 0, interactions = 0;
};

Counts count(const AtomicFiles& files) {
  Counts c;
  std::set<std::string_view> users;
  LineCursor inter(files.inter);
  std::string_view line;
  inter.next(line);  // header
  while (inter.next(line)) {
    users.insert(line.substr(0, line.find('\t')));
    ++c.interactions;
  }
  c.users = static_cast<int64_t>(users.size());
  LineCursor item(files.item);
  item.next(line);
  while (item.next(line)) ++c.items;
  return c;
}

// The converted files against the catalog: counts always, sha256 where the catalog has one.
void check_against_catalog(const CatalogEntry& entry, const AtomicFiles& files) {
  const Counts c = count(files);
  if (c.users != entry.users || c.items != entry.items || c.interactions != entry.interactions)
    throw InputError("dataset '" + entry.name + "': the converted files hold " +
                     format_with_thousands(c.users) + " users, " + format_with_thousands(c.items) +
                     " items and " + format_with_thousands(c.interactions) +
                     " interactions; the catalog expects " + format_with_thousands(entry.users) +
                     ", " + format_with_thousands(entry.items) + " and " +
                     format_with_thousands(entry.interactions));
  for (const auto& f : entry.files) {
    const std::string* content = f.name == entry.name + ".inter"  ? &files.inter
                                 : f.name == entry.name + ".item" ? &files.item
                                                                  : nullptr;
    if (!f.sha256 || !content) continue;
    const std::string actual = sha256_hex(*content);
    if (actual != *f.sha256)
      throw InputError("dataset '" + entry.name + "': the converted " + f.name + " has sha256 " +
                       actual + ", the catalog expects " + *f.sha256);
  }
}

}  // namespace

std::string default_data_dir() {
  const char* env = std::getenv("SEQREC_DATA");
  if (env && *env) {
    std::string first = env;
    first = first.substr(0, first.find(':'));
    if (!first.empty()) return first;
  }
  return "data";
}

std::string get_dataset(const CatalogEntry& entry, const DatasetGetOptions& o) {
  if (entry.sources.empty())
    throw InputError("dataset '" + entry.name + "' has no download sources in the catalog");
  const fs::path target = fs::path(o.to_dir) / entry.name;
  std::error_code ec;
  if (fs::exists(target, ec))
    throw InputError(target.string() + " already exists; remove it to fetch '" + entry.name +
                     "' again");
  const fs::path staging = fs::path(o.to_dir) / ("." + entry.name + ".get");
  std::map<std::string, std::string> paths;
  try {
    paths = download_sources(entry, (staging / "downloads").string(), o);
  } catch (...) {
    // Keep what a rerun can resume; leave no empty folders behind.
    fs::remove(staging / "downloads", ec);
    fs::remove(staging, ec);
    throw;
  }
  o.log("convert to atomic files (" + entry.converter + ")");
  const AtomicFiles files = convert(entry, paths);
  check_against_catalog(entry, files);
  const fs::path built = staging / entry.name;
  fs::remove_all(built, ec);
  fs::create_directories(built);
  write_file_atomic((built / (entry.name + ".inter")).string(), files.inter);
  write_file_atomic((built / (entry.name + ".item")).string(), files.item);
  fs::rename(built, target);  // the dataset appears whole or not at all
  fs::remove_all(staging, ec);
  return target.string();
}

}  // namespace seqrec
