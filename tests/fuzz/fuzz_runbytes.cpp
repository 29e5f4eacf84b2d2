// libFuzzer target: a real run file damaged byte by byte, opened the way the
// CLI and the Studio open files a user hands them: first the check in a child
// process (pdepth-check, built beside this target), then RunReader and every
// dataset read. Where fuzz_runfile only ever hands HDF5 well-formed files,
// this one hands it damaged ones on purpose: the HDF5 library may crash or
// hang in the child, but this process must not, and every refusal must be a
// pds::Error with a message.
//
// The input is a list of edits applied to a run file written once at start-up
// (one model, two epochs, tiny data): 8 bytes per edit, an operation (random
// bytes, bit flip, truncation, zeroed block, swapped 4 KiB pages), a 32-bit
// offset into the file, a length and a value. The empty input is the intact file.

#include "fuzzsupport.h"
#include "../runfixtures.h"

#include "store/guardedopen.h"
#include "store/h5inspect.h"
#include "store/runformat.h"
#include "store/runreader.h"
#include "store/runwriter.h"
#include "util/error.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

using namespace pds;

namespace {

/// The intact run file's bytes.
std::vector<char> makeSeedFile()
{
    const auto path = (fuzz::freshScratch().path() / "seed.h5").string();
    ModelInfo info;
    info.arch = "mlp";
    info.seed = 1;
    info.epochsPlanned = 2;
    info.device = "cpu";
    info.probeNames = {"input", "logits"};
    info.inTrain = {1, 1, 0, 1, 1};
    {
        RunWriter w(path, R"({"model": {"arch": "mlp"}})");
        w.writeHeader(R"({"model": {"arch": "mlp"}})", test::tinyDataset(), ChannelStats{{0.5f}, {0.25f}}, 1);
        w.beginModel(0, info);
        for (int e = 1; e <= 2; ++e)
            w.appendEpoch(0, test::curve(e), test::record(e, 5), test::record(e, 3));
        w.finishModel(0, test::scores(5, 0.f), test::scores(3, 1.f), std::vector<float>(10, 0.5f),
                      std::vector<float>(6, -0.5f), 2, runformat::kStatusComplete, 1.0);
        w.finish(runformat::kStatusComplete);
    }
    std::ifstream in(path, std::ios::binary);
    return std::vector<char>(std::istreambuf_iterator<char>(in), {});
}

void applyEdit(std::vector<char> &bytes, const std::uint8_t *e)
{
    if (bytes.empty())
        return;
    const std::size_t offset =
        (std::size_t(e[1]) | std::size_t(e[2]) << 8 | std::size_t(e[3]) << 16 | std::size_t(e[4]) << 24) % bytes.size();
    const std::size_t length = 1 + (std::size_t(e[5]) | std::size_t(e[6]) << 8) % 4096;
    const char value = static_cast<char>(e[7]);
    switch (e[0] % 5) {
    case 0:
        bytes[offset] = value;
        break;
    case 1:
        bytes[offset] = static_cast<char>(bytes[offset] ^ (1 << (e[7] % 8)));
        break;
    case 2:
        bytes.resize(offset);
        break;
    case 3:
        std::fill_n(bytes.begin() + static_cast<std::ptrdiff_t>(offset), std::min(length, bytes.size() - offset), '\0');
        break;
    default: {
        constexpr std::size_t kPage = 4096;
        const std::size_t pages = bytes.size() / kPage;
        if (pages >= 2) {
            const std::size_t a = offset / kPage % pages, b = (offset / kPage + 1 + e[7]) % pages;
            std::swap_ranges(bytes.begin() + static_cast<std::ptrdiff_t>(a * kPage),
                             bytes.begin() + static_cast<std::ptrdiff_t>((a + 1) * kPage),
                             bytes.begin() + static_cast<std::ptrdiff_t>(b * kPage));
        }
    }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    static const std::vector<char> seed = makeSeedFile();
    static unsigned long counter = 0;
    std::vector<char> bytes = seed;
    for (std::size_t i = 0; i + 8 <= size && i < 8 * 16; i += 8)
        applyEdit(bytes, data + i);
    // A new name each time: the check remembers files by name, size and modification time.
    const auto path = fuzz::freshScratch().path() / ("damaged-" + std::to_string(++counter) + ".h5");
    fuzz::writeFile(path, reinterpret_cast<const std::uint8_t *>(bytes.data()), bytes.size());
    try {
        if (const std::string unguarded = verifyBeforeOpening(path.string()); !unguarded.empty()) {
            std::fprintf(stderr, "%s\n", unguarded.c_str());
            std::abort(); // the target is meaningless without the checker
        }
        RunReader reader(path.string());
        h5::Handle file = h5::openFile(path.string(), false);
        for (const auto &e : h5::listObjects(file))
            if (e.kind == h5::ObjectEntry::Kind::Dataset)
                h5::readArray<double>(file, e.path);
    } catch (const Error &e) {
        fuzz::require(e.what()[0] != '\0', "a refusal without a message");
    }
    return 0;
}
