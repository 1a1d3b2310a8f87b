// `seqrec dataset stats` and `seqrec dataset synth` (and `get`, in cli_dataset_get.cpp).
#include <iostream>
#include <memory>
#include <sstream>

#include "datasets/dataset.h"
#include "datasets/dataset_stats.h"
#include "datasets/synthetic.h"
#include "harness/cli/cli_commands.h"

namespace seqrec {
namespace {

struct StatsArgs {
  std::string dataset;
  PreprocessOptions preprocess;
};

struct SynthArgs {
  std::string out_dir;
  std::string name = "synth";
  SyntheticOptions options;
};

void add_stats_command(CLI::App& dataset_app) {
  auto args = std::make_shared<StatsArgs>();
  CLI::App* cmd = dataset_app.add_subcommand(
      "stats", "Load a dataset (with the given preprocessing) and print its statistics");
  cmd->add_option("dataset", args->dataset,
                  "dataset NAME (looked up in $SEQREC_DATA, ./data, ../shared/datasets) or "
                  "folder PATH")
      ->required();
  cmd->add_option("--user-core", args->preprocess.user_core,
                  "keep users with at least this many interactions, iteratively (default 0 = off)");
  cmd->add_option("--item-core", args->preprocess.item_core,
                  "keep items with at least this many interactions, iteratively (default 0 = off)");
  cmd->add_flag("--drop-duplicates", args->preprocess.drop_duplicates,
                "drop repeated (user, item) pairs, keeping the earliest (default off)");
  cmd->callback([args] {
    const Dataset dataset = load_dataset(args->dataset, args->preprocess);
    std::cout << "folder                  " << dataset.directory << "\n"
              << format_stats_table(compute_stats(dataset));
  });
}

void add_synth_command(CLI::App& dataset_app) {
  auto args = std::make_shared<SynthArgs>();
  SyntheticOptions& o = args->options;
  const SyntheticOptions defaults;
  auto def = [](auto value) {
    std::ostringstream text;  // shortest form: 0.85, not std::to_string's 0.850000
    text << value;
    return " (default " + text.str() + ")";
  };
  CLI::App* cmd = dataset_app.add_subcommand(
      "synth",
      "Write a synthetic dataset with planted facet, time and feature structure: "
      "NAME.inter, NAME.item, NAME.image.npy, NAME.text.npy in --out");
  cmd->add_option("--out", args->out_dir, "dataset folder to write (created if missing)")
      ->required();
  cmd->add_option("--name", args->name, "file name stem NAME (default synth)");
  cmd->add_option("--users", o.users, "number of users" + def(defaults.users));
  cmd->add_option("--items", o.items, "number of items" + def(defaults.items));
  cmd->add_option("--min-len", o.min_len, "shortest sequence" + def(defaults.min_len));
  cmd->add_option("--max-len", o.max_len, "longest sequence" + def(defaults.max_len));
  cmd->add_option("--facets", o.facets, "facets per item" + def(defaults.facets));
  cmd->add_option("--values-per-facet", o.values_per_facet,
                  "values (clusters) per facet" + def(defaults.values_per_facet));
  cmd->add_option("--latent-dim", o.latent_dim,
                  "item latent factor width" + def(defaults.latent_dim));
  cmd->add_option("--modality-dim", o.modality_dim,
                  "width of the image and text features" + def(defaults.modality_dim));
  cmd->add_option("--follow-preference", o.follow_preference,
                  "probability the next item matches every preferred facet value" +
                      def(defaults.follow_preference));
  cmd->add_option("--long-gap-prob", o.long_gap_prob,
                  "probability a gap is long (1-8 weeks) instead of short (1 min-6 h)" +
                      def(defaults.long_gap_prob));
  cmd->add_option(
      "--long-gap-switch", o.long_gap_switch,
      "probability a user switches interest after a long gap" + def(defaults.long_gap_switch));
  cmd->add_option("--facet-focus", o.facet_focus,
                  "share of users (per preference draw) who follow one facet only, drawn per "
                  "user, instead of every facet" +
                      def(defaults.facet_focus));
  cmd->add_option(
      "--latent-noise", o.latent_noise,
      "noise of item factors around their facet centroids" + def(defaults.latent_noise));
  cmd->add_option("--feature-noise", o.feature_noise,
                  "noise of modality features around the projection" + def(defaults.feature_noise));
  cmd->add_option(
      "--start-time", o.start_time,
      "unix time; first interactions fall within a year after it" + def(defaults.start_time));
  cmd->add_option("--seed", o.seed, "random seed; same seed, same bytes" + def(defaults.seed));
  cmd->callback([args] {
    write_synthetic_dataset(args->out_dir, args->name, args->options);
    std::cout << "wrote " << args->out_dir << "/" << args->name
              << ".{inter,item,image.npy,text.npy}\n";
  });
}

}  // namespace

void add_dataset_commands(CLI::App& app) {
  CLI::App* dataset_app = app.add_subcommand(
      "dataset", "Fetch public datasets, inspect datasets or generate synthetic ones");
  dataset_app->require_subcommand(1);
  add_dataset_get_command(*dataset_app);
  add_stats_command(*dataset_app);
  add_synth_command(*dataset_app);
}

}  // namespace seqrec
