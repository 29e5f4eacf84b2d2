#include "appicon.h"

// Resources compiled into a static library are registered only when something
// references them, hence the explicit call (outside any namespace, as Qt requires).
static void initStudioResources()
{
    Q_INIT_RESOURCE(studio);
}

namespace pds {

QIcon studioIcon()
{
    initStudioResources();
    QIcon icon(QStringLiteral(":/icons/pdepth-studio.svg"));
    for (int size : {16, 22, 24, 32, 48, 64, 128, 256})
        icon.addFile(QStringLiteral(":/icons/hicolor/%1x%1/apps/pdepth-studio.png").arg(size), QSize(size, size));
    return icon;
}

} // namespace pds
