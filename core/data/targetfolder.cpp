#include "data/targetdataset.h"

#include "data/readers.h"
#include "util/error.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace fs = std::filesystem;

namespace pds {

namespace {

std::string trim(const std::string &s)
{
    const auto a = s.find_first_not_of(" \t\r");
    if (a == std::string::npos)
        return {};
    const auto b = s.find_last_not_of(" \t\r");
    return s.substr(a, b - a + 1);
}

std::string where(const std::string &path, int line)
{
    return path + ":" + std::to_string(line);
}

/// The target a field holds, if it is a whole finite number and nothing else.
bool parseTarget(const std::string &field, float &out)
{
    if (field.empty())
        return false;
    char *end = nullptr;
    const double v = std::strtod(field.c_str(), &end);
    if (end != field.c_str() + field.size() || !std::isfinite(v) || std::abs(v) > 3.0e38)
        return false;
    out = static_cast<float>(v);
    return true;
}

std::string readText(const fs::path &path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw DatasetError(path.string(), "cannot open target file");
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

TargetSplit readSplit(const std::vector<TargetRow> &rows, const Split &images)
{
    TargetSplit s;
    s.images = images.images;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        s.cleanTargets.push_back(rows[i].target);
        s.sourceIndices.push_back(static_cast<std::int64_t>(i));
    }
    s.targets = s.cleanTargets;
    return s;
}

} // namespace

std::vector<TargetRow> parseTargetCsv(const std::string &text, const std::string &path)
{
    std::vector<TargetRow> rows;
    std::map<std::string, int> seen;
    std::istringstream in(text);
    std::string raw;
    for (int line = 1; std::getline(in, raw); ++line) {
        const std::string row = trim(raw);
        if (row.empty())
            continue;
        const auto comma = row.find(',');
        if (comma == std::string::npos || row.find(',', comma + 1) != std::string::npos)
            throw DatasetError(where(path, line), "expected two fields 'file,target', got '" + row + "'");
        const std::string file = trim(row.substr(0, comma)), value = trim(row.substr(comma + 1));
        if (rows.empty() && seen.empty() && file == "file" && value == "target")
            continue; // the header
        TargetRow r;
        r.file = file;
        r.line = line;
        if (file.empty())
            throw DatasetError(where(path, line), "the file name is empty");
        if (!parseTarget(value, r.target))
            throw DatasetError(where(path, line), "target '" + value + "' of '" + file + "' is not a number");
        const auto [it, fresh] = seen.emplace(file, line);
        if (!fresh)
            throw DatasetError(where(path, line),
                               "'" + file + "' is listed twice (first on line " + std::to_string(it->second) + ")");
        rows.push_back(std::move(r));
    }
    if (rows.empty())
        throw DatasetError(path, "lists no images (expected rows 'file,target')");
    return rows;
}

TargetDataset loadTargetFolder(const std::string &rootPath)
{
    const fs::path root(rootPath);
    std::error_code ec;
    if (!fs::is_directory(root, ec))
        throw DatasetError(rootPath, "target folder not found");
    const fs::path trainCsv = root / "train.csv", testCsv = root / "test.csv";
    if (!fs::exists(trainCsv, ec))
        throw DatasetError(trainCsv.string(), "not found (a target folder lists its images in train.csv: file,target)");
    std::vector<std::vector<TargetRow>> rows{parseTargetCsv(readText(trainCsv), trainCsv.string())};
    std::vector<fs::path> csvs{trainCsv};
    if (fs::exists(testCsv, ec)) {
        rows.push_back(parseTargetCsv(readText(testCsv), testCsv.string()));
        csvs.push_back(testCsv);
    }
    std::vector<std::vector<std::string>> files(rows.size());
    for (std::size_t s = 0; s < rows.size(); ++s)
        for (const auto &r : rows[s]) {
            const fs::path image = root / r.file;
            if (!fs::is_regular_file(image, ec))
                throw DatasetError(where(csvs[s].string(), r.line), "image '" + r.file + "' not found in " + rootPath);
            files[s].push_back(image.string());
        }
    TargetDataset d;
    d.name = root.filename().string();
    d.format = "csv";
    d.source = rootPath;
    const auto splits = decodeImageFiles(files, d.channels, d.height, d.width);
    d.train = readSplit(rows[0], splits[0]);
    if (rows.size() > 1)
        d.test = readSplit(rows[1], splits[1]);
    return d;
}

} // namespace pds
