#pragma once

namespace pds {

/// The project version, e.g. "0.1.0".
const char *version();

} // namespace pds
