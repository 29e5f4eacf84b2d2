#include "models/examplefilter.h"

namespace pds {

bool ExampleFilter::operator==(const ExampleFilter &o) const
{
    return label == o.label && group == o.group && depthColumn == o.depthColumn && depthMin == o.depthMin
           && depthMax == o.depthMax && noisyOnly == o.noisyOnly && selectionOnly == o.selectionOnly
           && selection == o.selection && search == o.search;
}

} // namespace pds
