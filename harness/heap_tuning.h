#pragma once

namespace seqrec {

// Score matrices of tens of MB are allocated and freed every step; by default glibc serves
// them with mmap/munmap and returns memory to the OS, which costs page faults on every
// touch (measured on beauty: 21 s of system time in a 35 s epoch). Keeping freed memory in
// the heap removes that. Called first thing by every binary that trains (CLI, tests).
void keep_freed_memory_in_heap();

}  // namespace seqrec
