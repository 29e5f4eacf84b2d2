#pragma once

#include <hdf5.h>

#include <string>

/// What the writers of files built in memory and committed per unit share
/// (RunWriter, RegressionWriter): the atomic commit to `<path>.part`, the
/// final move and the time stamps.
namespace pds::partfile {

/// The current UTC time, ISO 8601 ("2026-12-02T08:15:00Z").
std::string utcNow();
/// Writes the attributes digest, then the file's complete image to
/// `partialPath` atomically (StoreError when it cannot).
void commit(hid_t file, const std::string &partialPath);
/// Moves the finished `<path>.part` to `path`; StoreError when it cannot.
void moveIntoPlace(const std::string &partialPath, const std::string &path);

} // namespace pds::partfile
