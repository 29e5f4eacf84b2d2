// What the integrity checks add to opening a run file (docs/benchmarks.md):
// the check in a child process (pdepth-check --quick) before a file is first
// read, and RunReader's open with and without the digest verification.
// Usage: bench_open FILE [REPEATS]

#include "store/guardedopen.h"
#include "store/h5file.h"
#include "store/integrity.h"
#include "store/runreader.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

namespace {

/// Median milliseconds of `repeats` calls.
double medianMs(int repeats, const std::function<void()> &f)
{
    std::vector<double> ms;
    for (int i = 0; i < repeats; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        f();
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(ms.begin(), ms.end());
    return ms[ms.size() / 2];
}

} // namespace

int main(int argc, char **argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: bench_open FILE [REPEATS]\n");
        return 2;
    }
    const std::string path = argv[1];
    const int repeats = argc > 2 ? std::max(1, std::atoi(argv[2])) : 11;
    try {
        const double child = medianMs(repeats, [&] {
            const pds::ChildCheck c = pds::checkInChildProcess(path, /*quick=*/true, 10.0);
            if (c.outcome != pds::ChildCheck::Outcome::Passed)
                throw pds::StoreError(path + ": the quick check did not pass: " + c.message);
        });
        const double digest = medianMs(repeats, [&] {
            pds::h5::Handle file = pds::h5::openFile(path, false);
            pds::verifyAttributesDigest(file, path);
        });
        const double reader = medianMs(repeats, [&] { pds::RunReader r(path); });
        std::printf("file                                  %s\n", path.c_str());
        std::printf("check in a child (pdepth-check --quick) %8.1f ms\n", child);
        std::printf("digest verification in RunReader       %8.1f ms\n", digest);
        std::printf("RunReader open, digest included        %8.1f ms\n", reader);
        std::printf("added to the first open                %8.1f ms\n", child + digest);
    } catch (const std::exception &e) {
        std::fprintf(stderr, "bench_open: %s\n", e.what());
        return 1;
    }
    return 0;
}
