#pragma once

namespace pds {

/// Keeps the memory a compute process frees for its next allocation instead of
/// handing it back to the system at once (glibc: allocations up to 1 GiB come
/// from the heap, whose top is trimmed only past 1 GiB of free space).
///
/// Training and probing allocate and free the same large buffers (a batch's
/// activations, a block of k-NN distances) thousands of times; by default
/// glibc maps each one fresh and the kernel zeroes every page again on first
/// touch, which cost a study a fifth of its CPU time on the CPU (sys time,
/// `docs/benchmarks.md`). Call once at the start of a compute process (the
/// `pdepth` CLI and its member processes); a no-op on other C libraries.
void keepFreedMemory();

} // namespace pds
