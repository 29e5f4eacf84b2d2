#pragma once

#include <vtkWeakPointer.h>

#include <array>
#include <map>

class vtkAbstractContextItem;
class vtkObject;
class vtkRenderWindow;

namespace pds {

/// Keeps every line width and marker size of a render window in points, as
/// font sizes are: the sizes the views set (pixels at 72 DPI, the screen's
/// scale) are remembered per object and redrawn at the frame's pixels per
/// point, so a 300 DPI export draws its lines and markers as heavy, relative
/// to the figure, as the screen and a 100 DPI export do. Covers chart plots,
/// axes and legends, and the point size and line width of 3-D actors.
class MarkScale {
public:
    /// Sets every size in `window` to its nominal value times `pixelsPerPoint`.
    void apply(vtkRenderWindow *window, double pixelsPerPoint);

private:
    /// One object's nominal sizes (points) and the sizes last set (pixels);
    /// a size the view changed since (it no longer equals the one set) is
    /// taken as its new nominal size.
    struct Entry {
        vtkWeakPointer<vtkObject> object;
        std::array<float, 4> nominal{};
        std::array<float, 4> applied{};
        bool set = false;
    };
    /// Scales the first `count` of `values` (read from `object`) in place,
    /// through the entry of `object`; `whole`: to whole pixels, as integer settings hold them.
    void scale(vtkObject *object, std::array<float, 4> &values, int count, bool whole = false);
    void visit(vtkAbstractContextItem *item);

    std::map<const vtkObject *, Entry> m_entries;
    double m_scale = 1.0;
};

} // namespace pds
