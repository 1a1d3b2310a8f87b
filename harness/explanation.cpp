#include "harness/explanation.h"

#include <iomanip>
#include <sstream>

#include "datasets/batching.h"

namespace seqrec {

std::string explanation_csv(SequentialRecommenderImpl& model, const LeaveOneOutSplit& split,
                            const Dataset& data, int64_t max_len, const torch::Device& device,
                            int64_t batch_size) {
  if (!model.explains()) return "";
  torch::NoGradGuard no_grad;
  model.eval();
  EvaluationBatcher batcher(split, EvalStage::Test, max_len);
  std::ostringstream out;
  out << std::setprecision(6);
  for (int64_t begin = 0; begin < batcher.num_users(); begin += batch_size) {
    Batch batch =
        batcher.make_batch(begin, std::min(batcher.num_users(), begin + batch_size)).to(device);
    auto parts = model.explain(batch);
    if (begin == 0) {
      out << "user";
      for (const auto& [name, values] : parts)
        for (int64_t j = 0; j < values.size(1); ++j) out << "," << name << "." << j;
      out << "\n";
    }
    std::vector<torch::Tensor> columns;
    for (const auto& part : parts)
      columns.push_back(part.second.to(torch::kCPU, torch::kFloat64).contiguous());
    const auto users = batch.users.to(torch::kCPU).contiguous();
    for (int64_t row = 0; row < batch.size(); ++row) {
      out << data.user_tokens[users.data_ptr<int64_t>()[row]];
      for (const auto& c : columns) {
        const double* values = c.data_ptr<double>() + row * c.size(1);
        for (int64_t j = 0; j < c.size(1); ++j) out << "," << values[j];
      }
      out << "\n";
    }
  }
  return out.str();
}

}  // namespace seqrec
