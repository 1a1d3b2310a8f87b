#pragma once
// Each CLI subcommand group lives in its own file and adds itself to the app here.
#include <CLI/CLI.hpp>

namespace seqrec {

// Exit codes of every command (seqrec --help): 0 success, 1 internal error, 2 bad input,
// 3 the command ran to its end but a trial it ran failed (train, sweep).
inline constexpr int kExitSomeFailed = 3;

// Thrown by a command that finished but must not exit 0; main() returns `code` silently,
// the command having said why.
struct CommandExitStatus {
  int code;
};

void add_dataset_commands(CLI::App& app);             // harness/cli/cli_dataset.cpp
void add_dataset_get_command(CLI::App& dataset_app);  // harness/cli/cli_dataset_get.cpp
void add_features_command(CLI::App& app);             // harness/cli/cli_features.cpp
void add_models_command(CLI::App& app);               // harness/cli/cli_models.cpp
void add_train_command(CLI::App& app);                // harness/cli/cli_train.cpp
void add_report_command(CLI::App& app);               // harness/cli/cli_report.cpp
void add_sweep_command(CLI::App& app);                // harness/cli/cli_sweep.cpp
void add_perf_report_command(CLI::App& app);          // harness/cli/cli_perf.cpp

}  // namespace seqrec
