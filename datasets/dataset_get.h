#pragma once
// `seqrec dataset get NAME`: the original public files of a catalog dataset, downloaded,
// verified and converted to atomic files, written under DIR/NAME only once all is done.
#include <functional>
#include <string>

#include "datasets/catalog.h"

namespace seqrec {

struct DatasetGetOptions {
  std::string to_dir;                           // the dataset goes to to_dir/NAME
  std::string mirror;                           // SEQREC_MIRROR base, "" = the original hosts
  std::function<void(const std::string&)> log;  // progress lines
};

// Fetches `entry` (which must have a `get` section) and returns the folder written. The
// downloads wait in to_dir/.NAME.get/ (kept on failure, so a rerun resumes them); the
// converted files are checked against the catalog's counts and checksums, then the folder
// is renamed into place, so to_dir/NAME is never a half-written dataset. An existing
// to_dir/NAME is left alone (InputError saying so).
std::string get_dataset(const CatalogEntry& entry, const DatasetGetOptions& options);

// Where `get` puts datasets by default: the first folder of $SEQREC_DATA, else ./data.
std::string default_data_dir();

}  // namespace seqrec
