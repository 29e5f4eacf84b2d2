#include "util/error.h"

#include <utility>

namespace pds {

DatasetError::DatasetError(const std::string &path, const std::string &problem)
    : Error(path + ": " + problem), m_path(path), m_problem(problem)
{
}

ConfigError::ConfigError(const std::string &message, std::string field) : Error(message), m_field(std::move(field)) {}

} // namespace pds
