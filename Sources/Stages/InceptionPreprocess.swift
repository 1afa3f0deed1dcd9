import Imaging
import Pipeline
import Tensor
import Pretrained

/// How `fid` and `inception_stats` turn a decoded image into Inception's 299×299 input. FID and
/// KID depend on it, so it is a parameter (in the fingerprint), written into every report and
/// statistics file, and statistics made under another mode are refused.
package enum InceptionPreprocess: String, Sendable, CaseIterable, ParamChoice {
    /// pytorch-fid's: samples scaled to [−1, 1], then bilinear to 299×299 (align_corners=False, no
    /// antialiasing: `F.interpolate`).
    case pytorchFID = "pytorch-fid"
    /// clean-fid's "clean": each channel of the 8-bit image as a float32 image, PIL `BICUBIC` to
    /// 299×299 (antialiased), clipped to [0, 255], then (x − 128) / 128.
    case clean

    static let param = Param<InceptionPreprocess>(
        "preprocess", default: .pytorchFID,
        doc: "pytorch-fid (scale to [-1, 1], bilinear without antialiasing, as pytorch-fid) or clean "
            + "(clean-fid: PIL bicubic per channel on the 0-255 floats, clip, (x-128)/128)")

    /// Stated in every report and statistics file (FID numbers depend on it).
    var summary: String {
        switch self {
        case .pytorchFID:
            return "decoded PNG/JPEG, RGB (alpha dropped, gray replicated), scaled to [-1, 1], "
                + "bilinear resize to 299x299 (align_corners=False, no antialiasing) as pytorch-fid"
        case .clean:
            return "decoded PNG/JPEG, 8-bit RGB (alpha dropped, gray replicated, 16-bit rounded to 8), each channel "
                + "as float32 resized to 299x299 with PIL BICUBIC (antialiased), clipped to [0, 255], (x - 128) / 128, as clean-fid's clean mode"
        }
    }

    /// `image` as a [1, 3, 299, 299] network input. `resamplers` caches PIL coefficients per source size.
    func input(_ image: Image, resamplers: inout [[Int]: PILBicubicResampler]) -> Tensor {
        let side = FIDInception.inputSize
        switch self {
        case .pytorchFID:
            let x = Tensor(image: image)
            return x.shape[2] == side && x.shape[3] == side ? x : GradMode.withoutGradient { x.resizedBilinear(height: side, width: side) }
        case .clean:
            let rgb = image.removingAlpha().toRGB().convertedTo8Bit()
            let key = [rgb.width, rgb.height]
            let resampler = resamplers[key] ?? PILBicubicResampler(width: rgb.width, height: rgb.height, toWidth: side, toHeight: side)
            resamplers[key] = resampler
            let values = resampler.resamplePlanes(rgb).map { (min(max($0, 0), 255) - 128) / 128 }
            return Tensor(shape: [1, 3, side, side], values: values)
        }
    }
}
