#pragma once

#include <QIcon>

namespace pds {

/// The Studio's application icon from its compiled-in resources
/// (resources/studio.qrc): the SVG for any size, PNGs for the small ones.
QIcon studioIcon();

/// The application's freedesktop ID: the name of its .desktop file and
/// AppStream component (resources/), so desktops tie windows to the launcher.
inline constexpr const char *kDesktopFileName = "org.predictiondepth.Studio";

} // namespace pds
