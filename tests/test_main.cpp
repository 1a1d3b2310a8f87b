#define BOOST_TEST_MODULE seqrec
#define BOOST_TEST_DYN_LINK
#include <torch/cuda.h>

#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <iostream>
#include <string>

#include "harness/heap_tuning.h"

// The same heap tuning as the CLI, so model tests do not spend most of their time in page
// faults (TiSASRec's tests: 26-58 s of system time without it).
struct HeapTuning {
  HeapTuning() { seqrec::keep_freed_memory_in_heap(); }
};
BOOST_TEST_GLOBAL_FIXTURE(HeapTuning);

// The CTest entries labelled `cuda` rerun the model suites with SEQREC_TEST_DEVICE=cuda. On a
// machine without a GPU (or a CPU-only LibTorch) they exit with 77, which CTest reports as
// skipped rather than passed.
struct SkipWithoutRequestedDevice {
  SkipWithoutRequestedDevice() {
    const char* device = std::getenv("SEQREC_TEST_DEVICE");
    if (device && std::string(device).rfind("cuda", 0) == 0 && !torch::cuda::is_available()) {
      std::cout << "SEQREC_TEST_DEVICE=" << device << " but CUDA is not available: skipped\n";
      std::exit(77);
    }
  }
};
BOOST_TEST_GLOBAL_FIXTURE(SkipWithoutRequestedDevice);
