#pragma once
// The hyper-parameter keys every SASRec-like model shares (hidden, layers, heads, inner,
// dropout, attn_dropout, activation, pre_norm), declared once so the keys mean the same in
// every model, and turned into the shared encoder's options.
#include <cstdint>
#include <string>

#include "core/params.h"
#include "models/layers/transformer.h"

namespace seqrec {

// The keys with a model's own defaults for the number of blocks, heads, dropout and activation.
ParamSchema transformer_schema(int64_t layers, int64_t heads, double dropout,
                               const std::string& activation);
// InputError naming both keys when hidden is not divisible by heads.
TransformerOptions transformer_options(const Params& params);
// The same check for models with their own schema (each head takes hidden / heads dimensions).
void check_heads_divide_hidden(int64_t hidden, int64_t heads);

}  // namespace seqrec
