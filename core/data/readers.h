#pragma once

#include "data/dataset.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace pds {

/// Reads a whole file into memory; gzip-compressed files are inflated.
/// Throws DatasetError when the file is missing, unreadable or its gzip
/// stream is truncated or corrupt.
std::vector<std::uint8_t> readFileBytes(const std::string &path);

/// An IDX array (Yann LeCun's MNIST format) of unsigned bytes.
struct IdxArray {
    std::vector<std::int64_t> dims;
    std::vector<std::uint8_t> data;
};

/// Parses IDX bytes; `path` is used in error messages only.
/// Accepts only the unsigned-byte element type that (Fashion-)MNIST uses.
IdxArray parseIdx(const std::uint8_t *bytes, std::size_t size, const std::string &path);

/// Reads an image/label IDX pair into a split. Labels must lie in 0..numClasses-1.
Split readIdxSplit(const std::string &imagesPath, const std::string &labelsPath, int numClasses,
                   int *channels, int *height, int *width);

/// Loads an IDX dataset folder (train-images-idx3-ubyte[.gz] and friends).
/// IDX files carry no class names: when `classNames` is empty the classes are
/// named "0" up to `numClasses` - 1 when it is given (labels beyond refused),
/// else up to the largest label found, which must leave no class without an
/// example (a stray label is refused, naming the file, the example and the value).
Dataset loadIdxFolder(const std::string &dir, const std::string &name,
                      const std::vector<std::string> &classNames, int numClasses = 0);

/// Appends the CIFAR binary records in `bytes` to `out`. CIFAR-10 records are
/// one label byte then 3072 pixels; CIFAR-100 records are a coarse and a fine
/// label byte then the pixels (`labelBytes` = 2, the fine label is used).
void parseCifarRecords(const std::uint8_t *bytes, std::size_t size, int labelBytes,
                       int numClasses, const std::string &path, Split &out);

/// Loads a CIFAR-10 (`variant` 10) or CIFAR-100 (100) binary-version folder.
Dataset loadCifarFolder(const std::string &dir, int variant);

/// Loads an image folder: root/<class>/<image>.png|jpg, or root/train/<class>/...
/// and root/test/<class>/... Classes are sorted by name. All images must have
/// the same size, of at most 8192×8192 pixels.
Dataset loadImageFolder(const std::string &root);

/// Decodes lists of image files (PNG or JPEG) into one split each (labels 0),
/// with the image folder's checks: every image of every list has one size,
/// channels as in loadImageFolder, which the three outputs receive.
std::vector<Split> decodeImageFiles(const std::vector<std::vector<std::string>> &lists, int &channels,
                                    int &height, int &width);

} // namespace pds
