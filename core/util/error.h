#pragma once

#include <stdexcept>
#include <string>

namespace pds {

/// Base of every error the core reports. The message is meant for the user:
/// it names the file or setting and says what is wrong with it.
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A dataset file or folder that cannot be read or does not make sense.
class DatasetError : public Error {
public:
    DatasetError(const std::string &path, const std::string &problem);
    const std::string &path() const { return m_path; }
    const std::string &problem() const { return m_problem; }

private:
    std::string m_path;
    std::string m_problem;
};

/// A configuration value that is missing, of the wrong type or out of range.
class ConfigError : public Error {
public:
    /// `field` names the setting by its key in the JSON configuration (see
    /// ConfigField in train/config.h, e.g. "train.lr"); empty when the error
    /// concerns no one setting.
    explicit ConfigError(const std::string &message, std::string field = {});
    const std::string &field() const { return m_field; }

private:
    std::string m_field;
};

/// Training produced a non-finite loss.
class DivergenceError : public Error {
public:
    using Error::Error;
};

/// The user (or a caller) asked the job to stop.
class CancelledError : public Error {
public:
    CancelledError() : Error("cancelled") {}
};

/// A run file that cannot be written, or read as one of ours.
class StoreError : public Error {
public:
    using Error::Error;
};

} // namespace pds
