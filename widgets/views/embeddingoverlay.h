#pragma once

#include <vtkContextItem.h>

class vtkContext2D;

namespace pds {

class EmbeddingView;

/// The 2-D layer of an EmbeddingView, drawn with vtkContext2D because GL2PS
/// exports that as vectors and its text is sized in points: the title, the
/// colour key, tick labels and axis titles always, and the cloud with its
/// axes only during a vector export. GL2PS turns 3-D actors into a raster
/// background image, which Debian's GL2PS (built without PNG) leaves out.
class EmbeddingOverlay : public vtkContextItem {
public:
    static EmbeddingOverlay *New();
    vtkTypeMacro(EmbeddingOverlay, vtkContextItem);
    bool Paint(vtkContext2D *painter) override;
    EmbeddingView *view = nullptr;
};

} // namespace pds
