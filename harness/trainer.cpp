#include "harness/trainer.h"

#include <chrono>
#include <cmath>
#include <cstdio>

#include "core/errors.h"
#include "harness/checkpoint.h"
#include "harness/error_text.h"

namespace seqrec {

ParamSchema trainer_schema() {
  ParamSchema s;
  s.float_param("lr", 1e-3, "Adam learning rate (SASRec paper: 0.001)", 0.0, 10.0);
  s.float_param("weight_decay", 0.0, "L2 weight decay (AdamW-style decoupled: no)", 0.0, 1.0);
  s.float_param("adam_beta1", 0.9, "Adam's first-moment decay (torch's default 0.9)", 0.0,
                0.999999);
  s.added_after_recorded_trials("adam_beta1");
  s.float_param("adam_beta2", 0.999,
                "Adam's second-moment decay (torch's default 0.999; the eSASRec benchmark and "
                "RecTools use 0.98)",
                0.0, 0.999999);
  s.added_after_recorded_trials("adam_beta2");
  s.float_param("adam_eps", 1e-8, "Adam's denominator term (torch's default 1e-8)", 0.0, 1.0);
  s.added_after_recorded_trials("adam_eps");
  s.int_param("batch_size", 128, "training sequences per step (SASRec paper: 128)", 1, 1 << 20);
  s.int_param("epochs", 200, "maximum training epochs", 0, 100000);
  s.int_param("patience", 10, "stop after this many epochs without a better validation metric", 1,
              100000);
  s.int_param("eval_batch_size", 512, "users per full-ranking evaluation batch", 1, 1 << 20);
  s.int_param("eval_chunk_items", 1 << 17,
              "catalogues of more items (padding included) are scored and ranked this many "
              "items at a time, so a batch holds eval_batch_size x eval_chunk_items scores "
              "instead of the whole score matrix (models whose scores are a query-item product; "
              "others, like Pop, score the whole row)",
              1, 1LL << 40);
  s.added_after_recorded_trials("eval_chunk_items");
  s.float_param("grad_clip", 0.0, "max global gradient norm (0 = off)", 0.0, 1e6);
  s.string_param("train_samples", "all_positions",
                 "training-sample construction: all_positions (SASRec), last_position (RecBole), "
                 "cloze (BERT4Rec)",
                 {"all_positions", "last_position", "cloze"});
  s.string_param("precision", "float32",
                 "training precision: float32, or bf16 = bfloat16 autocast of each step's "
                 "forward pass and loss (products in bfloat16; weights, optimiser and loss in "
                 "float32); evaluation is always float32, so rounding creates no ties",
                 {"float32", "bf16"});
  s.added_after_recorded_trials("precision");
  s.string_param("batch_order", "shuffled",
                 "order of training samples in an epoch: shuffled (default; every batch a "
                 "uniform draw), or length_bucketed = shuffled, then grouped so a batch holds "
                 "inputs of similar length (windows of 64 batches sorted by length, batches "
                 "shuffled): less padding to compute, batches no longer uniform draws",
                 {"shuffled", "length_bucketed"});
  s.added_after_recorded_trials("batch_order");
  s.string_param("dropout_rng", "torch",
                 "where training dropout draws its masks on CPU: torch (default; torch's "
                 "Bernoulli sampler, one element at a time in LibTorch builds without MKL such "
                 "as Debian's; every recorded trial used it), or counter = one key per call from "
                 "torch's generator, then a hash of (key, element index) per element, vectorised "
                 "and on every thread: the same keep probability and scaling, a different random "
                 "stream (fixed-seed results differ from torch's). CUDA always uses torch's",
                 {"torch", "counter"});
  s.added_after_recorded_trials("dropout_rng");
  s.string_param("cross_entropy", "torch",
                 "how full-softmax CE losses are computed on CPU: torch (default; log_softmax and "
                 "nll_loss, as every recorded trial), or fused = one pass per row forward and one "
                 "backward, float32 accumulation, polynomial exponentials (see "
                 "models/fused_cross_entropy.h): the same loss to about 1e-6 relative, several "
                 "times faster, different rounding (fixed-seed results differ from torch's)",
                 {"torch", "fused"});
  s.added_after_recorded_trials("cross_entropy");
  s.string_param("candidate_scores", "torch",
                 "how bce, sampled_softmax and gbce score their sampled negatives on CPU: torch "
                 "(default; gather each position's candidate rows into a copy, then batched "
                 "products, as every recorded trial), or fused = dot products read from the item "
                 "table in place, forward and backward (see models/layers/candidate_scores.h): "
                 "the same scores to float32 rounding, about twice as fast a SASRec+SS step, "
                 "different rounding (fixed-seed results differ from torch's)",
                 {"torch", "fused"});
  s.added_after_recorded_trials("candidate_scores");
  s.string_param("execution", "padded",
                 "where position-wise layers run (embeddings, projections, LayerNorm, dropout, "
                 "feed-forward, experts, loss gathers): packed (the default) = on the real tokens "
                 "only, attention scores alone on the grid, and the last block computing only the "
                 "positions read out; padded = on the [B, L] grid, the reference, as every trial "
                 "recorded before packed became the default. The same model: with dropout off "
                 "the two agree to rounding (tests/packed_test.cpp); with dropout the random "
                 "masks differ. Models that need the grid (GRU4Rec, Caser, NARM, FMLP-Rec, ...) "
                 "run padded either way (README)",
                 {"padded", "packed"});
  s.added_after_recorded_trials("execution");
  // Issue 24's targets all met (results/performance.md): packed is the default, and padded
  // stays the value left out of trial ids, so every recorded trial keeps its id.
  s.override_default("execution", "packed");
  return s;
}

TrainerConfig trainer_config_from_params(const Params& p) {
  TrainerConfig c;
  c.lr = p.get_float("lr");
  c.weight_decay = p.get_float("weight_decay");
  c.adam_beta1 = p.get_float("adam_beta1");
  c.adam_beta2 = p.get_float("adam_beta2");
  c.adam_eps = p.get_float("adam_eps");
  c.batch_size = p.get_int("batch_size");
  c.epochs = p.get_int("epochs");
  c.patience = p.get_int("patience");
  c.eval_batch_size = p.get_int("eval_batch_size");
  c.eval_chunk_items = p.get_int("eval_chunk_items");
  c.grad_clip = p.get_float("grad_clip");
  c.sample_mode = parse_sample_mode(p.get_string("train_samples"));
  c.precision = parse_precision(p.get_string("precision"));
  c.length_bucketed = p.get_string("batch_order") == "length_bucketed";
  c.kernels.dropout_rng = parse_dropout_rng(p.get_string("dropout_rng"));
  c.kernels.cross_entropy = parse_cross_entropy_kernel(p.get_string("cross_entropy"));
  c.kernels.candidate_scores = parse_candidate_scores_kernel(p.get_string("candidate_scores"));
  c.packed = p.get_string("execution") == "packed";
  return c;
}

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Copies of every parameter and buffer, to restore the best-validation weights.
std::vector<torch::Tensor> snapshot(torch::nn::Module& module) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> out;
  for (const auto& t : model_tensors(module)) out.push_back(t.detach().clone());
  return out;
}

void restore(torch::nn::Module& module, const std::vector<torch::Tensor>& saved) {
  torch::NoGradGuard no_grad;
  const auto tensors = model_tensors(module);
  for (size_t i = 0; i < tensors.size(); ++i) tensors[i].copy_(saved[i]);
}

}  // namespace

Trainer::Trainer(SequentialRecommender model, const LeaveOneOutSplit& split,
                 const Protocol& protocol, const TrainerConfig& config, torch::Device device,
                 uint64_t seed, Logger log)
    : model_(std::move(model)),
      split_(split),
      protocol_(protocol),
      config_(config),
      device_(device),
      seed_(seed),
      log_(std::move(log)) {}

EvalResult Trainer::evaluate(EvalStage stage, int dump_top_k) {
  torch::NoGradGuard no_grad;
  model_->eval();
  EvaluationBatcher batcher(split_, stage, protocol_.max_len);
  FullRankingEvaluator evaluator(protocol_.metrics, protocol_.ties, protocol_.mask_seen,
                                 dump_top_k);
  const bool chunked = split_.data->num_items() + 1 > config_.eval_chunk_items;
  auto cached = held_out_.find(stage);
  if (cached == held_out_.end())
    cached = held_out_.emplace(stage, held_out_users(split_, stage, protocol_.drop_users)).first;
  const HeldOutUsers& held_out = cached->second;
  // Packed, users go shortest first, so each batch's attention grid is as wide as its own
  // inputs; the evaluator reports them by user index whatever the order.
  const std::vector<int64_t> order =
      config_.packed ? batcher.users_by_input_length(held_out.users) : held_out.users;
  const auto num_users = static_cast<int64_t>(order.size());
  for (int64_t begin = 0; begin < num_users; begin += config_.eval_batch_size) {
    const int64_t end = std::min(num_users, begin + config_.eval_batch_size);
    Batch batch =
        batcher.make_batch(std::vector<int64_t>(order.begin() + begin, order.begin() + end))
            .to(device_);
    if (config_.packed) batch.pack_tokens();
    if (chunked) {
      const ScoreFactors factors = model_->score_factors(batch);
      if (factors.defined()) {
        evaluator.add_factored_batch(factors.query, factors.items, batch.eval_targets, batch.seen,
                                     batch.users, config_.eval_chunk_items);
        continue;
      }
    }
    evaluator.add_batch(model_->score(batch), batch.eval_targets, batch.seen, batch.users);
  }
  // Padded batches add users in index order already; packed ones shortest first.
  return evaluator.finish(FullRankingEvaluator::RowOrder::ByUser);
}

EpochRecord Trainer::train_epoch(torch::optim::Optimizer& optimizer, TrainingBatcher& batcher,
                                 std::mt19937_64& rng) {
  model_->train();
  EpochRecord record;
  const auto order = config_.length_bucketed
                         ? batcher.length_bucketed_order(rng, config_.batch_size)
                         : batcher.epoch_order(rng);
  const auto start = std::chrono::steady_clock::now();
  double loss_sum = 0.0;
  int64_t steps = 0;
  for (size_t begin = 0; begin < order.size(); begin += config_.batch_size) {
    const size_t end = std::min(order.size(), begin + static_cast<size_t>(config_.batch_size));
    Batch batch = batcher.make_batch(order, begin, end).to(device_);
    if (config_.packed) batch.pack_tokens();
    model_->prepare_training_batch(batch);
    optimizer.zero_grad();
    LossParts loss;
    {
      // The backward pass runs outside autocast, as autograd replays the recorded casts.
      AutocastGuard autocast(config_.precision, device_);
      KernelChoiceGuard kernels(config_.kernels);
      loss = model_->loss(batch);
    }
    const double value = loss.total.item<double>();
    if (!std::isfinite(value))
      throw std::runtime_error("loss is " + std::to_string(value) + " at step " +
                               std::to_string(steps + 1));
    loss.total.backward();
    if (config_.grad_clip > 0)
      torch::nn::utils::clip_grad_norm_(model_->parameters(), config_.grad_clip);
    optimizer.step();
    loss_sum += value;
    for (auto& [name, part] : loss.parts) record.loss_parts[name] += part.item<double>();
    ++steps;
  }
  record.train_loss = loss_sum / std::max<int64_t>(1, steps);
  for (auto& [name, v] : record.loss_parts) v /= std::max<int64_t>(1, steps);
  record.train_seconds = seconds_since(start);
  return record;
}

void Trainer::enable_checkpoints(std::string path, std::string owner) {
  checkpoint_path_ = std::move(path);
  checkpoint_owner_ = std::move(owner);
}

namespace {

std::string epoch_line(const EpochRecord& record, const TrainingProgress& progress, int64_t epochs,
                       const std::string& metric) {
  char line[256];
  std::snprintf(line, sizeof line,
                "epoch %3lld/%lld  loss %.4f  valid %s %.4f  (best %.4f @%lld)  train %.1fs  "
                "eval %.1fs",
                static_cast<long long>(record.epoch), static_cast<long long>(epochs),
                record.train_loss, metric.c_str(), record.valid_value, progress.best_value,
                static_cast<long long>(progress.best_epoch), record.train_seconds,
                record.eval_seconds);
  return line;
}

// Adds a trained and validated epoch to the curve; keeps the weights when validation improved.
void add_epoch(TrainingProgress& progress, const EpochRecord& record, EvalResult valid,
               torch::nn::Module& model) {
  progress.train_seconds += record.train_seconds;
  progress.valid_eval_seconds += record.eval_seconds;
  progress.curve.push_back(record);
  if (record.valid_value > progress.best_value) {
    progress.best_value = record.valid_value;
    progress.best_epoch = record.epoch;
    progress.best_valid = std::move(valid);
    progress.best_weights = snapshot(model);
    progress.since_best = 0;
  } else {
    ++progress.since_best;
  }
}

void copy_progress(const TrainingProgress& progress, TrainingOutcome& outcome) {
  outcome.curve = progress.curve;
  outcome.best_epoch = progress.best_epoch;
  outcome.valid = progress.best_valid;
  outcome.train_seconds = progress.train_seconds;
  outcome.valid_eval_seconds = progress.valid_eval_seconds;
  outcome.resumes = progress.resumes;
}

}  // namespace

TrainingOutcome Trainer::run(int dump_top_k) {
  TrainingOutcome outcome;
  model_->to(device_);
  if (model_->trainable() && config_.epochs > 0) {
    if (config_.precision == Precision::BFloat16 && device_.is_cpu() && !cpu_has_bfloat16())
      log_(
          "warning: precision bf16 on a CPU without bfloat16 instructions is emulated and "
          "slower than float32");
    TrainingBatcher batcher(split_, config_.sample_mode, protocol_.max_len);
    std::mt19937_64 rng(seed_);
    torch::optim::Adam optimizer(model_->parameters(),
                                 torch::optim::AdamOptions(config_.lr)
                                     .betas(std::make_tuple(config_.adam_beta1, config_.adam_beta2))
                                     .eps(config_.adam_eps)
                                     .weight_decay(config_.weight_decay));
    const CheckpointTarget checkpoint{checkpoint_path_, checkpoint_owner_};
    TrainingProgress progress;
    if (load_checkpoint(checkpoint, *model_, optimizer, rng, progress, device_)) {
      const ResumeRecord& resume = progress.resumes.back();
      log_("resuming after epoch " + std::to_string(progress.curve.size()) + " from " +
           checkpoint.path + " (written by " + resume.written_by + ")");
      if (device_.is_cpu() && resume.written_on != "?" && resume.written_on != resume.resumed_on)
        log_("note: the checkpoint was written with " + resume.written_on +
             " BLAS kernels and this run uses " + resume.resumed_on +
             " ones, so the rest of the trial rounds differently from an uninterrupted run "
             "(OPENBLAS_CORETYPE=" +
             resume.written_on + " keeps it bit for bit; docs/reproducing.md)");
    }
    const auto stopped_early = [&] { return progress.since_best >= config_.patience; };
    try {
      for (int64_t epoch = static_cast<int64_t>(progress.curve.size()) + 1;
           epoch <= config_.epochs && !stopped_early(); ++epoch) {
        EpochRecord record = train_epoch(optimizer, batcher, rng);
        record.epoch = epoch;
        const auto eval_start = std::chrono::steady_clock::now();
        EvalResult valid = evaluate(EvalStage::Validation);
        record.eval_seconds = seconds_since(eval_start);
        record.valid_value = valid.value(protocol_.valid_metric);
        add_epoch(progress, record, std::move(valid), *model_);
        log_(epoch_line(record, progress, config_.epochs, protocol_.valid_metric));
        if (stopped_early())
          log_("early stop: no better " + protocol_.valid_metric + " for " +
               std::to_string(config_.patience) + " epochs");
        save_checkpoint(checkpoint, *model_, optimizer, rng, progress, device_);
      }
    } catch (const std::runtime_error& e) {
      if (dynamic_cast<const InputError*>(&e)) throw;
      outcome.status = "failed";
      outcome.failure = error_text(e);
      log_("trial failed: " + outcome.failure);
    }
    copy_progress(progress, outcome);
    if (outcome.status != "ok") {
      outcome.best_epoch = 0;
      return outcome;
    }
    restore(*model_, progress.best_weights);
  } else {
    outcome.valid = evaluate(EvalStage::Validation);
  }
  const auto test_start = std::chrono::steady_clock::now();
  outcome.test = evaluate(EvalStage::Test, dump_top_k);
  outcome.test_eval_seconds = seconds_since(test_start);
  return outcome;
}

}  // namespace seqrec
