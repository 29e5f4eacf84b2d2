#include "util/autocast.h"

#include <cstdlib>
#include <cstring>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#endif

namespace pds {

bool cpuHasNativeBf16()
{
    // PDS_CPU_BF16=0 treats the CPU as one without (for comparisons and tests).
    static const bool has = [] {
        if (const char *forced = std::getenv("PDS_CPU_BF16"); forced && *forced)
            return std::strcmp(forced, "0") != 0;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
        unsigned a = 0, b = 0, c = 0, d = 0;
        if (__get_cpuid_max(0, nullptr) < 7)
            return false;
        // AMX-BF16: leaf 7, subleaf 0, EDX bit 22 (the OS must also enable
        // the tile state; oneDNN asks for it and falls back by itself).
        __cpuid_count(7, 0, a, b, c, d);
        const bool amx = (d >> 22) & 1u;
        // AVX512-BF16: leaf 7, subleaf 1, EAX bit 5.
        __cpuid_count(7, 1, a, b, c, d);
        const bool avx512bf16 = (a >> 5) & 1u;
        return amx || avx512bf16;
#else
        return false;
#endif
    }();
    return has;
}

bool mixedPrecisionUsed(bool requested, const c10::Device &device)
{
    if (!requested)
        return false;
    if (device.is_cuda())
        return true;
    return device.is_cpu() && cpuHasNativeBf16();
}

} // namespace pds
