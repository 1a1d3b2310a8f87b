// Dataset basics and the entry point that picks the reader for a folder.
#include "datasets/dataset.h"

#include <filesystem>

#include "core/errors.h"
#include "datasets/dataset_files.h"
#include "datasets/item_features.h"

namespace seqrec {

int64_t Dataset::num_interactions() const {
  int64_t total = 0;
  for (const auto& seq : sequences) total += static_cast<int64_t>(seq.size());
  return total;
}

Dataset load_dataset(const std::string& name_or_path, const PreprocessOptions& options) {
  const std::string directory = resolve_dataset_dir(name_or_path);
  const auto files = find_dataset_files(directory);
  if (!files) {
    throw InputError(directory +
                     ": holds no dataset (expected NAME.inter [+ NAME.item], or an "
                     "S3Rec NAME.txt [+ NAME_item2attributes.json])");
  }
  Dataset dataset = files->format == DatasetFiles::Format::Atomic
                        ? load_atomic_dataset(directory, options)
                        : load_sequence_file_dataset(files->interactions, files->items, options);
  // The folder name is the name users type (and the catalog's key), e.g. sports/ holding
  // S3Rec's Sports_and_Outdoors.txt.
  std::filesystem::path dir = std::filesystem::absolute(directory).lexically_normal();
  if (dir.filename().empty()) dir = dir.parent_path();
  dataset.name = dir.filename().string();
  dataset.directory = directory;
  read_item_features(*files, dataset);
  return dataset;
}

}  // namespace seqrec
