#include "datasets/archive_members.h"

#include <archive.h>
#include <archive_entry.h>

#include <memory>

#include "core/errors.h"

namespace seqrec {

namespace {

bool ends_with(const std::string& name, const std::string& suffix) {
  if (name == suffix) return true;
  return name.size() > suffix.size() &&
         name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0 &&
         name[name.size() - suffix.size() - 1] == '/';
}

}  // namespace

std::map<std::string, std::string> read_archive_members(const std::string& path,
                                                        const std::vector<std::string>& suffixes) {
  std::unique_ptr<archive, int (*)(archive*)> reader(archive_read_new(), archive_read_free);
  archive_read_support_filter_all(reader.get());
  archive_read_support_format_all(reader.get());
  if (archive_read_open_filename(reader.get(), path.c_str(), 1 << 16) != ARCHIVE_OK)
    throw InputError(path + ": not a readable archive: " + archive_error_string(reader.get()));
  std::map<std::string, std::string> members;
  archive_entry* entry = nullptr;
  int status;
  while ((status = archive_read_next_header(reader.get(), &entry)) == ARCHIVE_OK) {
    const std::string name = archive_entry_pathname(entry);
    for (const auto& suffix : suffixes) {
      if (!ends_with(name, suffix)) continue;
      std::string& content = members[suffix];
      char buffer[1 << 16];
      la_ssize_t n;
      while ((n = archive_read_data(reader.get(), buffer, sizeof buffer)) > 0)
        content.append(buffer, static_cast<size_t>(n));
      if (n < 0)
        throw InputError(path + ": cannot read member " + name + ": " +
                         archive_error_string(reader.get()));
    }
  }
  if (status != ARCHIVE_EOF)
    throw InputError(path + ": damaged archive: " + archive_error_string(reader.get()));
  for (const auto& suffix : suffixes)
    if (!members.count(suffix)) throw InputError(path + ": the archive has no member " + suffix);
  return members;
}

}  // namespace seqrec
