#pragma once
// Synthetic datasets with planted structure (design §3), for tests, scaling benchmarks and
// for checking that facet-, time- and feature-aware models use the signal they claim to.
//
// Items have `facets` facets, each taking one of `values_per_facet` values; an item's latent
// factors are the sum of its facet values' centroids plus noise. A user holds a preferred
// value per facet and mostly picks items matching all of them, so sequences are
// predictable. Gaps between interactions are short (minutes to hours) or long (weeks);
// after a long gap the user switches interest (re-draws preferences) with probability
// `long_gap_switch`, so elapsed time predicts a change. Categories are the facet values
// ("f0_v2"); the image and text modalities are two different noisy linear projections of
// the latent factors.
//
// With `facet_focus` > 0, that share of preference draws makes a focused user, who follows
// one facet only (drawn per user): the next item matches the preferred value of that facet
// and may take any value elsewhere. This is FAME's motivating case (one user picks by genre,
// another by actor): which facet matters differs between users. At 0 (the default) no extra
// random numbers are drawn, so the files are byte-identical to those without the option.
#include <cstdint>
#include <string>

namespace seqrec {

struct SyntheticOptions {
  int64_t users = 1000;
  int64_t items = 500;
  int min_len = 5;  // interactions per user, uniform in [min_len, max_len]
  int max_len = 30;
  int facets = 3;
  int values_per_facet = 4;
  int latent_dim = 16;
  int modality_dim = 32;            // width of both NAME.image.npy and NAME.text.npy
  double follow_preference = 0.85;  // P(next item matches every preferred facet value)
  double long_gap_prob = 0.15;      // P(a gap is long: 1-8 weeks, else 1 min - 6 h)
  double long_gap_switch = 0.8;     // P(user re-draws preferences after a long gap)
  double facet_focus = 0.0;         // P(a preference draw follows one facet only)
  double latent_noise = 0.3;        // item factor noise around its facet centroids
  double feature_noise = 0.1;       // modality feature noise around the projection
  int64_t start_time = 1500000000;  // first interactions fall in the year after this (unix s)
  uint64_t seed = 1;
};

// Throws InputError naming the first option out of range.
void validate_synthetic_options(const SyntheticOptions& options);

// Writes OUT_DIR/NAME.inter (user_id, item_id, timestamp), OUT_DIR/NAME.item (item_id,
// categories), OUT_DIR/NAME.image.npy and OUT_DIR/NAME.text.npy (float32, rows in the
// order of NAME.item). OUT_DIR is created if needed and is itself the dataset folder.
// Byte-identical output for identical options: only std::mt19937_64 and arithmetic here,
// no std:: distributions (their results differ between standard libraries) and no libm.
void write_synthetic_dataset(const std::string& out_dir, const std::string& name,
                             const SyntheticOptions& options);

}  // namespace seqrec
