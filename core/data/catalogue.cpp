#include "data/catalogue.h"

#include "data/readers.h"
#include "util/error.h"

#include <filesystem>

namespace fs = std::filesystem;

namespace pds {

const std::vector<CatalogueEntry> &datasetCatalogue()
{
    static const std::vector<CatalogueEntry> entries = {
        {"fashion-mnist", "idx", "/usr/share/datasets/fashion-mnist",
         {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
          "Bag", "Ankle boot"}},
        {"mnist", "idx", "/usr/share/datasets/mnist",
         {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}},
        {"cifar10", "cifar10", "", {}},
        {"cifar100", "cifar100", "", {}},
    };
    return entries;
}

std::string detectFormat(const std::string &path)
{
    const fs::path p(path);
    std::error_code ec;
    if (!fs::is_directory(p, ec))
        throw DatasetError(path, "dataset folder not found");
    auto has = [&](const char *name) { return fs::exists(p / name, ec); };
    if (has("train-images-idx3-ubyte.gz") || has("train-images-idx3-ubyte")
        || has("train-images.idx3-ubyte"))
        return "idx";
    if (has("data_batch_1.bin"))
        return "cifar10";
    if (has("train.bin"))
        return "cifar100";
    return "folder";
}

Dataset loadDataset(const DatasetSpec &spec)
{
    const CatalogueEntry *entry = nullptr;
    for (const auto &e : datasetCatalogue())
        if (e.name == spec.name)
            entry = &e;

    std::string path = spec.path;
    if (path.empty()) {
        if (!entry)
            throw ConfigError("unknown dataset '" + spec.name
                              + "': give a catalogue name (fashion-mnist, mnist, cifar10, "
                                "cifar100) or a path");
        if (entry->defaultPath.empty())
            throw ConfigError("dataset '" + spec.name + "' has no default location: give its path");
        path = entry->defaultPath;
    }
    std::string format = spec.format;
    if (format.empty())
        format = entry ? entry->format : detectFormat(path);

    Dataset d;
    if (format == "idx") {
        // A folder not in the catalogue gets its classes from its labels.
        const std::vector<std::string> classes = entry ? entry->classNames : std::vector<std::string>{};
        d = loadIdxFolder(path, entry ? entry->name : fs::path(path).filename().string(), classes, spec.classes);
    } else if (format == "cifar10") {
        d = loadCifarFolder(path, 10);
    } else if (format == "cifar100") {
        d = loadCifarFolder(path, 100);
    } else if (format == "folder") {
        d = loadImageFolder(path);
    } else {
        throw ConfigError("unknown dataset format '" + format
                          + "' (expected idx, cifar10, cifar100 or folder)");
    }
    if (entry)
        d.name = entry->name;
    return d;
}

} // namespace pds
