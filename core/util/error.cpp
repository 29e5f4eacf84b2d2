#include "util/error.h"

namespace pds {

DatasetError::DatasetError(const std::string &path, const std::string &problem)
    : Error(path + ": " + problem), m_path(path), m_problem(problem)
{
}

} // namespace pds
