#pragma once

#include "data/dataset.h"

#include <string>
#include <vector>

namespace pds {

/// What to load: a catalogue name, a format, or a path (or a combination).
struct DatasetSpec {
    std::string name = "fashion-mnist"; ///< fashion-mnist, mnist, cifar10, cifar100, or any name
    std::string format;                 ///< idx, cifar10, cifar100, folder; empty = from name or path
    std::string path;                   ///< overrides the catalogue's default location
    /// Class count of a dataset whose files do not name their classes (custom
    /// IDX); 0 = counted from the labels, which must then leave no class empty.
    int classes = 0;
};

/// Datasets known by name, with their default locations.
struct CatalogueEntry {
    std::string name;
    std::string format;
    std::string defaultPath;
    std::vector<std::string> classNames;
};

/// Every catalogue entry.
const std::vector<CatalogueEntry> &datasetCatalogue();

/// Guesses the format of a dataset folder from the files in it.
std::string detectFormat(const std::string &path);

/// Loads the dataset the spec names; throws DatasetError or ConfigError.
Dataset loadDataset(const DatasetSpec &spec);

} // namespace pds
