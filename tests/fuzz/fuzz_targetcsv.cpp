// libFuzzer target: the target CSV parser (parseTargetCsv) of regression
// target folders. Any input either parses into rows with unique, non-empty
// file names, finite targets and increasing line numbers, or is refused with a
// DatasetError; nothing else may happen.

#include "fuzzsupport.h"

#include "data/targetdataset.h"
#include "util/error.h"

#include <cmath>
#include <set>
#include <string>

using namespace pds;
using pds::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string text(reinterpret_cast<const char *>(data), size);
    std::vector<TargetRow> rows;
    try {
        rows = parseTargetCsv(text, "train.csv");
    } catch (const DatasetError &) {
        return 0;
    }
    require(!rows.empty(), "parseTargetCsv: a parse yields at least one row");
    std::set<std::string> files;
    int line = 0;
    for (const auto &r : rows) {
        require(!r.file.empty(), "parseTargetCsv: file names are not empty");
        require(files.insert(r.file).second, "parseTargetCsv: file names are unique");
        require(std::isfinite(r.target), "parseTargetCsv: targets are finite");
        require(r.line > line, "parseTargetCsv: line numbers increase");
        line = r.line;
    }
    return 0;
}
