#pragma once

// Geometry shared by the code that draws a point cloud and the code that picks in it.

#include <cstdint>
#include <vector>

class vtkPolyData;
class vtkRenderer;

namespace pds {

/// Point size in pixels: large enough to see a few hundred points, small
/// enough that 60,000 do not merge into one blob.
double pointSize(std::int64_t n);

/// Display coordinates (pixels from the bottom left) and NDC depth (smaller
/// is nearer) of every point of `cloud` under the renderer's camera and size,
/// as vtkRenderer::WorldToDisplay computes them; NaN behind the camera.
std::vector<float> displayPositions(vtkRenderer *renderer, vtkPolyData *cloud);

} // namespace pds
