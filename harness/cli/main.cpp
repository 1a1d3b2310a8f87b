// seqrec: one binary that trains, evaluates and compares sequential recommenders.
#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>

#include "core/errors.h"
#include "harness/cli/cli_commands.h"
#include "harness/error_text.h"
#include "harness/heap_tuning.h"

int main(int argc, char** argv) {
  seqrec::keep_freed_memory_in_heap();
  CLI::App app{
      "seqrec - benchmark and evaluation harness for sequential recommendation.\n"
      "Trains and evaluates registered models under a pinned, recorded protocol with full\n"
      "ranking over every item. Exit codes: 0 success, 2 bad input, 1 internal error,\n"
      "3 a trial failed (its result.json says why)."};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "print help for every subcommand");
  seqrec::add_train_command(app);
  seqrec::add_sweep_command(app);
  seqrec::add_models_command(app);
  seqrec::add_dataset_commands(app);
  seqrec::add_features_command(app);
  seqrec::add_report_command(app);
  seqrec::add_perf_report_command(app);
  // CLI11 answers a mistyped command ("seqrec trian", "seqrec dataset stat") with "A
  // subcommand is required"; name the word and the accepted commands instead.
  CLI::App* level = &app;
  for (int i = 1; i < argc && argv[i][0] != '-'; ++i) {
    const auto subcommands = level->get_subcommands([](CLI::App*) { return true; });
    if (subcommands.empty()) break;  // this command takes positional arguments
    CLI::App* next = nullptr;
    std::string commands;
    for (CLI::App* sub : subcommands) {
      if (sub->check_name(argv[i])) next = sub;
      commands += (commands.empty() ? "" : ", ") + sub->get_name();
    }
    if (!next) {
      std::cerr << "error: unknown command '" << argv[i] << "'; commands: " << commands
                << " (see seqrec --help)\n";
      return 2;
    }
    level = next;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "error: " << e.what() << " (see seqrec --help)\n";
    return 2;
  } catch (const seqrec::InputError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  } catch (const seqrec::CommandExitStatus& e) {
    return e.code;
  } catch (const std::exception& e) {
    std::cerr << "internal error: " << seqrec::error_text(e) << "\n";
    return 1;
  }
  return 0;
}
