#include "baselines/pop.h"

#include "models/registry.h"

namespace seqrec {

PopImpl::PopImpl(const ModelContext& context) {
  auto counts = context.split.train_item_counts();
  counts_ = register_buffer(
      "counts",
      torch::tensor(counts, torch::TensorOptions().dtype(torch::kInt64)).to(torch::kFloat));
}

LossParts PopImpl::loss(const Batch& batch) {
  auto zero = torch::zeros({}, counts_.options());
  return {zero, {{"main", zero}}};
}

torch::Tensor PopImpl::score(const Batch& batch) {
  return counts_.unsqueeze(0).expand({batch.size(), counts_.size(0)});
}

SEQREC_REGISTER_MODEL(ModelInfo::of<PopImpl>("pop").described_as(
    "most popular items of the training split (no parameters)"));

}  // namespace seqrec
