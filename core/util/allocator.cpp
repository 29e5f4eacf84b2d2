#include "util/allocator.h"

#include <cstdlib> // defines __GLIBC__ on glibc

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace pds {

void keepFreedMemory()
{
#if defined(__GLIBC__)
    constexpr int kOneGiB = 1 << 30;
    mallopt(M_MMAP_THRESHOLD, kOneGiB);
    mallopt(M_TRIM_THRESHOLD, kOneGiB);
    mallopt(M_TOP_PAD, 1 << 28);
#endif
}

} // namespace pds
