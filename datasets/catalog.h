#pragma once
// The catalog of known public datasets (datasets/catalog.json): where each comes from,
// its expected counts and file checksums, so a missing dataset error can say how to get it.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "datasets/download.h"

namespace seqrec {

struct CatalogFile {
  std::string name;
  std::optional<std::string> sha256;  // unknown for datasets we have not checked ourselves
};

// A file `seqrec dataset get` downloads, and what the conversion reads it as ("sequences",
// "item_attributes", "timestamps", "title_lines", "user_asins", "archive").
struct CatalogSource {
  std::string role;
  SourceFile file;
};

struct CatalogEntry {
  std::string name;
  std::string description;
  std::string source;         // where the files this harness reads come from
  std::string original_data;  // the upstream data set's home page
  std::string format;         // "atomic" or "s3rec"
  std::string install;        // how to lay the files out
  int64_t users = 0, items = 0, interactions = 0;
  std::vector<CatalogFile> files;  // the atomic files, with sha256 where known
  // `seqrec dataset get`: the original files, how to convert them ("s3rec",
  // "movielens-100k", "movielens-1m") and the licence line printed with them.
  std::vector<CatalogSource> sources;
  std::string converter;
  std::string licence;
};

// The catalog file: $SEQREC_CATALOG, then datasets/catalog.json in an ancestor of the
// executable's folder or of the working directory. Nothing when none is found.
std::optional<std::string> find_catalog_file();

// Parses a catalog; throws InputError naming the file and key on malformed entries.
std::vector<CatalogEntry> read_catalog(const std::string& path);

// The entry named `name` from the catalog found by find_catalog_file(), if any. Never
// throws: the catalog only improves messages.
std::optional<CatalogEntry> find_catalog_entry(const std::string& name);

// The known dataset names of the catalog found by find_catalog_file(), sorted.
std::vector<std::string> catalog_names();

// Several lines: what the dataset is, where to get it, what counts to expect.
std::string describe_catalog_entry(const CatalogEntry& entry);

}  // namespace seqrec
