#include "harness/heap_tuning.h"

#include <malloc.h>

namespace seqrec {

void keep_freed_memory_in_heap() {
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_TOP_PAD, 256 << 20);
}

}  // namespace seqrec
