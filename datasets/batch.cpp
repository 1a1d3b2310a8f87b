#include "datasets/batch.h"

namespace seqrec {

namespace {
torch::Tensor moved(const torch::Tensor& t, const torch::Device& device) {
  return t.defined() ? t.to(device) : t;
}
}  // namespace

Batch Batch::to(const torch::Device& device) const {
  Batch b;
  b.items = moved(items, device);
  b.lengths = moved(lengths, device);
  b.timestamps = moved(timestamps, device);
  b.users = moved(users, device);
  b.targets = moved(targets, device);
  b.eval_targets = moved(eval_targets, device);
  b.seen = moved(seen, device);
  b.packed = packed.to(device);
  return b;
}

torch::Tensor Batch::last_position(const torch::Tensor& x) const { return gather_last(x, lengths); }

torch::Tensor Batch::last_targets() const {
  return targets.gather(1, (lengths - 1).view({-1, 1})).squeeze(1);
}

torch::Tensor Batch::real_positions(const torch::Tensor& lengths, int64_t width) {
  return torch::arange(width, lengths.options()).unsqueeze(0).lt(lengths.unsqueeze(1));
}

torch::Tensor Batch::gather_last(const torch::Tensor& x, const torch::Tensor& lengths) {
  auto index = (lengths - 1).view({-1, 1, 1}).expand({x.size(0), 1, x.size(2)});
  return x.gather(1, index).squeeze(1);
}

}  // namespace seqrec
