import Basics
import Foundation
import NN

/// A painting's masks as the authors of Art2Real store them (aimagelab/art2real: `load_obj` in
/// models/contextual_loss.py reads `<artistic_masks_dir>/<name>.pkl`): a pickled list of
/// `(class_id, H×W array)` pairs, the arrays 0/1 (bool, uint8, int or float), which may overlap.
/// Read through `NumpyPickle`, which refuses any global but NumPy's array globals.
public enum AuthorsMaskPickle {
    /// The file extension of a mask pickle.
    public static let fileExtension = "pkl"

    /// The masks in the pickle at `url`; they must be `width`×`height` (the painting's training size).
    public static func read(_ url: URL, width: Int, height: Int) throws -> ClassMasks {
        try masks(from: NumpyPickle.load(contentsOf: url), path: url.path, width: width, height: height)
    }

    /// The masks in pickle bytes (`path` names them in errors).
    public static func decode(_ bytes: [UInt8], path: String, width: Int, height: Int) throws -> ClassMasks {
        try masks(from: NumpyPickle.load(bytes, path: path), path: path, width: width, height: height)
    }

    static func masks(from value: NumpyPickle.Value, path: String, width: Int, height: Int) throws -> ClassMasks {
        func fail(_ reason: String) -> NumpyPickleError { NumpyPickleError(path: path, reason: reason) }
        guard case .list(let pairs) = value else { throw fail("expected a list of (class_id, mask) pairs") }
        let entries = try pairs.enumerated().map { k, pair -> ClassMasks.Entry in
            guard case .list(let items) = pair, items.count == 2 else { throw fail("item \(k): expected a (class_id, mask) pair") }
            guard case .int(let id) = items[0], id >= 0 else { throw fail("item \(k): the class id must be a non-negative int") }
            guard case .array(let array) = items[1] else { throw fail("item \(k) (class \(id)): the mask must be a NumPy array") }
            guard array.shape == [height, width] else {
                throw fail("item \(k) (class \(id)): a mask of shape \(array.shape); the painting's training size needs [\(height), \(width)] "
                           + "(the authors' masks are made at the training size: load_size = crop_size, no flip)")
            }
            if let bad = array.values.firstIndex(where: { $0 != 0 && $0 != 1 }) {
                throw fail("item \(k) (class \(id)): value \(array.values[bad]) at pixel \(bad % width),\(bad / width); a mask holds 0 or 1")
            }
            return ClassMasks.Entry(id: id, pixels: array.values.map { $0 == 1 ? 1 : 0 })
        }
        return ClassMasks(width: width, height: height, entries: entries)
    }
}
