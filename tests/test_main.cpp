#define BOOST_TEST_MODULE seqrec
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "harness/heap_tuning.h"

// The same heap tuning as the CLI, so model tests do not spend most of their time in page
// faults (TiSASRec's tests: 26-58 s of system time without it).
struct HeapTuning {
  HeapTuning() { seqrec::keep_freed_memory_in_heap(); }
};
BOOST_TEST_GLOBAL_FIXTURE(HeapTuning);
