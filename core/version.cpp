#include "version.h"

namespace pds {

const char *version()
{
    return PDS_VERSION;
}

} // namespace pds
