// `seqrec features text`: derive a text modality from item fields (design §3).
#include <CLI/CLI.hpp>
#include <iomanip>
#include <iostream>
#include <memory>

#include "datasets/text_features.h"

namespace seqrec {
namespace {

struct TextArgs {
  std::string dataset;
  std::string out_dir;
  std::string name = "text";
  TextFeatureOptions options;
};

void add_text_command(CLI::App& features_app) {
  auto args = std::make_shared<TextArgs>();
  CLI::App* cmd = features_app.add_subcommand(
      "text",
      "Build a deterministic text modality NAME.<name>.npy: TF-IDF over the lower-cased tokens "
      "of the given item fields (smooth idf, L2-normalised rows), truncated SVD to --dim; rows "
      "in NAME.item order");
  cmd->add_option("--dataset", args->dataset,
                  "dataset NAME (looked up in $SEQREC_DATA, ./data, ../shared/datasets) or "
                  "folder PATH")
      ->required();
  cmd->add_option("--fields", args->options.fields,
                  "comma-separated item fields: the category field (categories, class, ...) and/or "
                  "token_seq columns of NAME.item (e.g. title,categories)")
      ->required()
      ->delimiter(',');
  cmd->add_option("--dim", args->options.dim, "feature width (default 128)");
  cmd->add_option("--out", args->out_dir,
                  "folder to write a complete dataset into (data files copied there); default: "
                  "write the features into the dataset's own folder");
  cmd->add_option("--name", args->name,
                  "modality name: the file is NAME.<name>.npy (default text)");
  cmd->callback([args] {
    const TextFeatureRun run =
        write_text_features(args->dataset, args->name, args->options, args->out_dir);
    const TextFeatures& s = run.stats;
    std::cout << "vocabulary          " << s.vocabulary << " terms\n"
              << "items               " << s.features.rows - 1 << " (" << s.items_without_tokens
              << " without tokens: zero rows)\n"
              << "explained variance  " << std::fixed << std::setprecision(4)
              << s.explained_variance << " (share of the TF-IDF matrix's squared norm kept by "
              << s.features.cols << " components)\n";
    for (const auto& file : run.copied) std::cout << "copied              " << file << "\n";
    if (!run.ids.empty()) std::cout << "wrote               " << run.ids << "\n";
    std::cout << "wrote               " << run.npy << "\n";
    if (!run.copied.empty()) {
      std::cout << "use it with         --dataset " << run.folder
                << " (a folder ./data/NAME is also found by NAME, before ../shared/datasets)\n";
    }
  });
}

}  // namespace

void add_features_command(CLI::App& app) {
  CLI::App* features_app =
      app.add_subcommand("features", "Derive item modality features for a dataset");
  features_app->require_subcommand(1);
  add_text_command(*features_app);
}

}  // namespace seqrec
