#include "models/layers/transformer_schema.h"

#include "core/errors.h"

namespace seqrec {

ParamSchema transformer_schema(int64_t layers, int64_t heads, double dropout,
                               const std::string& activation) {
  ParamSchema s;
  s.int_param("hidden", 64, "embedding and hidden width d", 1, 4096);
  s.int_param("layers", layers, "transformer blocks", 1, 64);
  s.int_param("heads", heads, "attention heads (must divide hidden)", 1, 64);
  s.int_param("inner", 0, "feed-forward width; 0 = hidden, as in SASRec's code", 0, 65536);
  s.float_param("dropout", dropout, "dropout on embeddings, residuals and feed-forward", 0.0, 0.95);
  s.float_param("attn_dropout", dropout, "dropout on attention weights", 0.0, 0.95);
  s.string_param("activation", activation, "feed-forward activation", {"gelu", "relu"});
  s.bool_param("pre_norm", true,
               "LayerNorm before each sub-layer and after the stack (SASRec's code); false = "
               "after each residual (BERT/RecBole)");
  return s;
}

void check_heads_divide_hidden(int64_t hidden, int64_t heads) {
  // Each head attends over a hidden / heads slice, so the split must be exact.
  if (hidden % heads != 0)
    throw InputError("hidden=" + std::to_string(hidden) + " is not divisible by heads=" +
                     std::to_string(heads) + " (each head takes hidden / heads dimensions)");
}

TransformerOptions transformer_options(const Params& p) {
  const int64_t d = p.get_int("hidden");
  const int64_t heads = p.get_int("heads");
  const int64_t inner = p.get_int("inner");
  check_heads_divide_hidden(d, heads);
  return TransformerOptions(d, heads)
      .inner(inner > 0 ? inner : d)
      .layers(p.get_int("layers"))
      .dropout(p.get_float("dropout"))
      .attn_dropout(p.get_float("attn_dropout"))
      .activation(p.get_string("activation"))
      .pre_norm(p.get_bool("pre_norm"));
}

}  // namespace seqrec
