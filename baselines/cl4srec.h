#pragma once
// CL4SRec (Xie et al., ICDE 2022): SASRec trained with its next-item loss plus λ · InfoNCE
// between two randomly augmented views (crop, mask, reorder) of each training sequence.
#include <utility>

#include "baselines/sasrec.h"
#include "models/layers/contrastive.h"

namespace seqrec {

// Values double as the `kinds` codes of augment_sequences.
enum class SequenceAugmentation : int64_t { Crop = 0, Mask = 1, Reorder = 2 };

struct AugmentationOptions {
  double crop_eta = 0.6;      // crop keeps max(1, floor(η n)) contiguous items
  double mask_gamma = 0.3;    // mask replaces floor(γ n) distinct items by mask_id
  double reorder_beta = 0.6;  // reorder shuffles a contiguous run of floor(β n) items
  int64_t mask_id = 0;
};

struct AugmentedView {
  torch::Tensor items;    // [B, W] int64, right-padded with 0, W = longest view
  torch::Tensor lengths;  // [B] int64, >= 1
};

// One view of each right-padded row (lengths >= 1): row r gets augmentation kinds[r]. Crop
// keeps a contiguous sub-sequence moved to the front; mask and reorder keep the length and the
// positions of padding. Every random choice comes from torch's global generator, so the trainer's
// seed fixes the views. Runs on the CPU; the result lives on items' device.
AugmentedView augment_sequences(const torch::Tensor& items, const torch::Tensor& lengths,
                                const torch::Tensor& kinds, const AugmentationOptions& options);

class CL4SRecImpl : public SASRecImpl {
 public:
  explicit CL4SRecImpl(const ModelContext& context);
  static ParamSchema schema();

  // SASRec's loss ("main") + cl_weight · InfoNCE over the 2B views ("contrastive"; absent
  // when cl_weight = 0, and then no augmentation is drawn: the model is SASRec exactly).
  LossParts loss(const Batch& batch) override;

  // Two augmented views of every row, each with an augmentation drawn uniformly.
  std::pair<AugmentedView, AugmentedView> make_views(const Batch& batch);
  // [B, d] encoder output at each view's last real item; [mask] uses mask_embedding. `packed`:
  // on the views' real tokens only (execution=packed).
  torch::Tensor encode_view(const AugmentedView& view, bool packed = false);

  AugmentationOptions augmentation;
  double cl_weight;
  bool distinct_augmentations;
  InfoNCEOptions contrast;
  torch::Tensor mask_embedding;  // [d], the item embedding of [mask] (id N + 1)
};

}  // namespace seqrec
