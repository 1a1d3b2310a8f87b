// `seqrec dataset get NAME`: a catalog dataset from its original public files.
#include <iostream>
#include <memory>

#include "core/errors.h"
#include "datasets/catalog.h"
#include "datasets/dataset_get.h"
#include "datasets/download.h"
#include "harness/cli/cli_commands.h"

namespace seqrec {

namespace {

struct GetArgs {
  std::string name;
  std::string to_dir;
};

std::string known_names() {
  std::string names;
  for (const auto& n : catalog_names()) names += (names.empty() ? "" : ", ") + n;
  return names;
}

void run_get(const GetArgs& args) {
  const auto entry = find_catalog_entry(args.name);
  if (!entry)
    throw InputError("dataset get: '" + args.name +
                     "' is not in the catalog (known: " + known_names() + ")");
  DatasetGetOptions options;
  options.to_dir = args.to_dir.empty() ? default_data_dir() : args.to_dir;
  options.mirror = mirror_from_environment();
  options.log = [](const std::string& line) { std::cerr << line << std::endl; };
  std::cerr << entry->name << ": " << entry->description << "\n"
            << "licence: " << entry->licence << std::endl;
  const std::string folder = get_dataset(*entry, options);
  std::cout << "wrote " << folder << "/" << entry->name << ".{inter,item}: " << entry->users
            << " users, " << entry->items << " items, " << entry->interactions << " interactions\n";
}

}  // namespace

void add_dataset_get_command(CLI::App& dataset_app) {
  auto args = std::make_shared<GetArgs>();
  CLI::App* cmd = dataset_app.add_subcommand(
      "get",
      "Download a public dataset of the catalog (datasets/catalog.json) from its original "
      "addresses, check each file's sha256, convert it to atomic files and write DIR/NAME/. "
      "A download interrupted midway resumes when the command is run again. "
      "$SEQREC_MIRROR=http://HOST:PORT/ replaces the scheme and host of every address (the "
      "path stays as on the original host). Exit code 2 on a failed download, a checksum "
      "mismatch or bad input; nothing is then written under DIR/NAME.");
  cmd->add_option("name", args->name, "catalog name (ml-100k, ml-1m, beauty, toys, ...)")
      ->required();
  cmd->add_option("--to", args->to_dir,
                  "folder receiving NAME/ (default: the first folder of $SEQREC_DATA, else "
                  "./data, where --dataset NAME finds it)");
  cmd->callback([args] { run_get(*args); });
}

}  // namespace seqrec
