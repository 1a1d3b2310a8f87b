#pragma once
// Each CLI subcommand group lives in its own file and adds itself to the app here.
#include <CLI/CLI.hpp>

namespace seqrec {

void add_dataset_commands(CLI::App& app);     // harness/cli_dataset.cpp
void add_features_command(CLI::App& app);     // harness/cli_features.cpp
void add_models_command(CLI::App& app);       // harness/cli_models.cpp
void add_train_command(CLI::App& app);        // harness/cli_train.cpp
void add_report_command(CLI::App& app);       // harness/cli_report.cpp
void add_sweep_command(CLI::App& app);        // harness/cli_sweep.cpp
void add_perf_report_command(CLI::App& app);  // harness/cli_perf.cpp

}  // namespace seqrec
