#include "store/partfile.h"

#include "store/h5file.h"
#include "store/integrity.h"
#include "util/error.h"

#include <ctime>
#include <filesystem>

namespace pds::partfile {

std::string utcNow()
{
    const std::time_t t = std::time(nullptr);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
    return buf;
}

void commit(hid_t file, const std::string &partialPath)
{
    // Every change of status or attributes reaches the file through here, so the digest always matches.
    writeAttributesDigest(file);
    h5::writeFileAtomically(partialPath, h5::fileImage(file));
}

void moveIntoPlace(const std::string &partialPath, const std::string &path)
{
    std::error_code ec;
    std::filesystem::rename(partialPath, path, ec);
    if (ec)
        throw StoreError("cannot move " + partialPath + " to " + path + ": " + ec.message());
}

} // namespace pds::partfile
