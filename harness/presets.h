#pragma once
// Named protocol presets (design §4): the keys a published table was produced with, so a
// reproduction is one flag (`seqrec train --preset NAME`, or "preset" in a sweep spec) and
// each result records which preset it ran. A preset is only a set of keys: a trial's id is
// that of the same keys set by hand. What a source did that no key reproduces yet is listed
// in `gaps`, so a reproduction table can say why a row may miss.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace seqrec {

struct Preset {
  std::string name;
  std::string published_source;  // its key in results/reference/published.json
  std::string source;            // the publication or run whose table it reproduces
  std::string description;       // protocol in one sentence
  nlohmann::json keys;           // protocol and trainer keys, for every model
  nlohmann::json model_keys = nlohmann::json::object();  // model name -> its keys
  std::vector<std::string> gaps;  // details of the source no key reproduces yet

  // keys, then the model's own keys over them.
  nlohmann::json keys_for(const std::string& model) const;
};

const std::vector<Preset>& presets();
// InputError naming the unknown preset and listing the known ones.
const Preset& find_preset(const std::string& name);

}  // namespace seqrec
