import Basics
import Foundation
import Imaging
import Pipeline
import Retrieval

/// The paintings' masks of a semantic `train` (input `masks_A`), as class masks: for the painting
/// `dir/name.ext`, the authors' pickle `dir/name.pkl` (`AuthorsMaskPickle`, at the training size)
/// or a PNG label map `dir/name.png` (`MaskFolder`, the painting's own size, needs `classes.txt`).
/// Under `class_terms: authors` a painting with neither is class 0 everywhere, as the authors'
/// code treats a missing pickle; under `shares` it is an error.
struct PaintingMasks {
    let root: URL
    /// The PNG folder, when `classes.txt` is there.
    let labelMaps: MaskFolder?
    let allowMissing: Bool
    let transform: TrainingTransform

    init(root: URL, classTerms: ClassTerms, transform: TrainingTransform) throws {
        self.root = root.standardizedFileURL
        let classes = self.root.appendingPathComponent(SegmentationClasses.fileName)
        labelMaps = FileManager.default.fileExists(atPath: classes.path) ? try MaskFolder(root: self.root) : nil
        allowMissing = classTerms == .authors
        self.transform = transform
    }

    /// Where the pickle of the painting at `relativePath` would be.
    func pickleURL(for relativePath: String) -> URL {
        root.appendingPathComponent((relativePath as NSString).deletingPathExtension + "." + AuthorsMaskPickle.fileExtension)
    }

    /// The masks of the painting at `relativePath` before the training transform: a label map at the
    /// painting's size, a pickle at the training size (load_size square, which the transform's
    /// resize keeps as it is); nil when it has none and that is allowed.
    func masks(for relativePath: String, painting: Image) throws -> ClassMasks? {
        let pickle = pickleURL(for: relativePath)
        if FileManager.default.fileExists(atPath: pickle.path) {
            guard transform.loadSize == transform.cropSize, !transform.flip else {
                throw StageFailure.message("\(pickle.path): the authors' mask pickles are made at the training size and neither cropped "
                                           + "nor flipped; set load_size = crop_size (\(transform.cropSize)) and flip: false")
            }
            // At load_size square already: the transform's resize of the masks leaves them as they are.
            return try AuthorsMaskPickle.read(pickle, width: transform.loadSize, height: transform.loadSize)
        }
        if let labelMaps, FileManager.default.fileExists(atPath: labelMaps.url(for: relativePath).path) {
            return ClassMasks(try labelMaps.mask(for: relativePath, width: painting.width, height: painting.height))
        }
        if allowMissing { return nil }
        guard let labelMaps else {
            throw StageFailure.message("\(relativePath): no mask; expected \(pickle.path) (the authors' pickle) or a PNG label map with "
                                       + "\(root.appendingPathComponent(SegmentationClasses.fileName).path)")
        }
        throw MaskError.missingMask(image: relativePath, expected: labelMaps.url(for: relativePath).path + " or " + pickle.path)
    }
}
