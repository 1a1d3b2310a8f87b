// `seqrec models [NAME...]`: every registered model with its parameters, defaults and meaning.
#include <cstdio>
#include <iostream>
#include <memory>

#include "core/params.h"
#include "harness/cli/cli_commands.h"
#include "harness/presets.h"
#include "harness/protocol.h"
#include "harness/trainer.h"
#include "models/registry.h"

namespace seqrec {
namespace {

std::string range_text(const ParamSpec& s) {
  std::string r;
  if (!s.choices.empty()) {
    for (size_t i = 0; i < s.choices.size(); ++i) r += (i ? "|" : "") + s.choices[i];
    return r;
  }
  auto num = [](double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%g", v);
    return std::string(b);
  };
  if (s.min || s.max)
    r = "[" + (s.min ? num(*s.min) : std::string("-inf")) + ", " +
        (s.max ? num(*s.max) : std::string("inf")) + "]";
  return r;
}

void print_schema(const ParamSchema& schema, const std::string& indent) {
  for (const auto& s : schema.specs()) {
    std::printf("%s%-16s %-6s %-14s %-16s %s\n", indent.c_str(), s.name.c_str(),
                to_string(s.type).c_str(), s.default_value.dump().c_str(), range_text(s).c_str(),
                s.help.c_str());
  }
}

struct ModelsOptions {
  std::vector<std::string> names;
  bool common = false;
};

}  // namespace

void add_models_command(CLI::App& app) {
  auto options = std::make_shared<ModelsOptions>();
  auto* cmd = app.add_subcommand(
      "models",
      "List registered models with their hyper-parameters (name, type, default, range, "
      "meaning), and the trainer and protocol keys every model accepts");
  cmd->add_option("names", options->names, "only these models (default: all)");
  cmd->add_flag("--common", options->common,
                "also list the trainer and protocol keys shared by every model (default: off)");
  cmd->callback([options] {
    auto& registry = ModelRegistry::instance();
    auto names = options->names.empty() ? registry.names() : options->names;
    for (const auto& name : names) {
      const ModelInfo& info = registry.get(name);
      std::printf("%s - %s\n", info.name.c_str(), info.description.c_str());
      ParamSchema schema = info.schema();
      if (schema.specs().empty()) std::printf("    (no hyper-parameters)\n");
      print_schema(schema, "    ");
      if (!info.trainer_defaults.empty())
        std::printf("    trainer defaults: %s\n", info.trainer_defaults.dump().c_str());
      std::printf("\n");
    }
    if (options->common) {
      std::printf("trainer keys (every model; a model may change the default):\n");
      print_schema(trainer_schema(), "    ");
      std::printf("\nprotocol keys (recorded and hashed with every result):\n");
      print_schema(protocol_schema(), "    ");
      std::printf(
          "\npresets (--preset NAME, or \"preset\" in a sweep spec; recorded with each "
          "result; docs/protocols.md):\n");
      for (const auto& p : presets()) {
        std::printf("    %s - %s\n        %s\n        keys: %s\n", p.name.c_str(), p.source.c_str(),
                    p.description.c_str(), p.keys.dump().c_str());
        for (auto it = p.model_keys.begin(); it != p.model_keys.end(); ++it)
          std::printf("        %s: %s\n", it.key().c_str(), it.value().dump().c_str());
        for (const auto& gap : p.gaps)
          std::printf("        not reproduced by a key: %s\n", gap.c_str());
      }
    }
  });
}

}  // namespace seqrec
