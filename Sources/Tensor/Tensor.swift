import Basics
/// A contiguous row-major (NCHW for images) Float32 array that can record how it was computed.
///
/// A tensor is a reference: views made by `reshaped` share storage, and gradients accumulate into
/// `grad` of leaves that have `requiresGrad` set.
public final class Tensor {
    /// Extent of each axis, outermost first.
    public let shape: [Int]
    /// The buffer holding the elements (possibly shared with other views).
    public let storage: Storage
    /// Index of the first element inside `storage`.
    public let offset: Int
    /// Number of elements.
    public let count: Int
    /// Whether gradients flow to (or through) this tensor.
    public var requiresGrad: Bool
    /// Accumulated gradient of a leaf after `backward()`.
    public var grad: Tensor?
    /// How this tensor was made, for reverse mode; nil for leaves and after backward released it.
    var node: GradNode?

    /// Wraps existing storage; `offset + product(shape)` must fit inside it.
    public init(shape: [Int], storage: Storage, offset: Int = 0, requiresGrad: Bool = false) {
        let n = shape.reduce(1, *)
        precondition(shape.allSatisfy { $0 >= 0 }, "negative extent in shape \(shape)")
        precondition(offset + n <= storage.count, "shape \(shape) at offset \(offset) exceeds storage of \(storage.count)")
        self.shape = shape
        self.storage = storage
        self.offset = offset
        self.count = n
        self.requiresGrad = requiresGrad
    }

    /// A tensor of zeros.
    public convenience init(zeros shape: [Int], requiresGrad: Bool = false) {
        self.init(shape: shape, storage: Storage(count: shape.reduce(1, *)), requiresGrad: requiresGrad)
    }

    /// A tensor with every element equal to `value`.
    public convenience init(shape: [Int], repeating value: Float, requiresGrad: Bool = false) {
        let n = shape.reduce(1, *)
        let s = Storage(uninitializedCount: n)
        s.base.initialize(repeating: value, count: n)
        self.init(shape: shape, storage: s, requiresGrad: requiresGrad)
    }

    /// A tensor holding `values` in row-major order.
    public convenience init(shape: [Int], values: [Float], requiresGrad: Bool = false) {
        let n = shape.reduce(1, *)
        precondition(values.count == n, "\(values.count) values for shape \(shape)")
        let s = Storage(uninitializedCount: n)
        values.withUnsafeBufferPointer { s.base.update(from: $0.baseAddress!, count: n) }
        self.init(shape: shape, storage: s, requiresGrad: requiresGrad)
    }

    /// A one-element tensor of shape [1].
    public convenience init(scalar: Float, requiresGrad: Bool = false) {
        self.init(shape: [1], values: [scalar], requiresGrad: requiresGrad)
    }

    /// Samples from N(mean, std²) drawn from `generator`.
    public static func randomNormal(_ shape: [Int], mean: Float = 0, std: Float = 1,
                                    generator: inout SeededGenerator, requiresGrad: Bool = false) -> Tensor {
        let t = Tensor(zeros: shape, requiresGrad: requiresGrad)
        let p = t.pointer
        for i in 0..<t.count { p[i] = mean + std * generator.nextNormal() }
        return t
    }

    /// Samples from U[low, high) drawn from `generator`.
    public static func randomUniform(_ shape: [Int], low: Float = 0, high: Float = 1,
                                     generator: inout SeededGenerator, requiresGrad: Bool = false) -> Tensor {
        let t = Tensor(zeros: shape, requiresGrad: requiresGrad)
        let p = t.pointer
        for i in 0..<t.count { p[i] = low + (high - low) * generator.unit() }
        return t
    }

    /// First element of this tensor's data.
    public var pointer: UnsafeMutablePointer<Float> { storage.base + offset }
    /// Number of axes.
    public var rank: Int { shape.count }
    /// Row-major strides in elements (tensors are always contiguous).
    public var strides: [Int] { Tensor.contiguousStrides(shape) }
    /// The elements as an array, row-major.
    public var scalars: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
    /// The single element of a one-element tensor.
    public var item: Float {
        precondition(count == 1, "item of a tensor with \(count) elements")
        return pointer[0]
    }

    /// Row-major strides of `shape`.
    public static func contiguousStrides(_ shape: [Int]) -> [Int] {
        var s = [Int](repeating: 1, count: shape.count)
        var acc = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) { s[i] = acc; acc *= shape[i] }
        return s
    }

    /// A new tensor with a copy of the data, detached from any graph.
    public func copy() -> Tensor {
        let s = Storage(uninitializedCount: count)
        s.base.update(from: pointer, count: count)
        return Tensor(shape: shape, storage: s)
    }

    /// The same data, cut off from the graph (no gradient flows back through it).
    public func detached() -> Tensor { Tensor(shape: shape, storage: storage, offset: offset) }

    /// Overwrites this tensor's elements with `other`'s (same element count); not recorded.
    public func assign(_ other: Tensor) {
        precondition(other.count == count, "assign \(other.shape) into \(shape)")
        pointer.update(from: other.pointer, count: count)
    }

    /// Sets every element to zero; not recorded.
    public func zero() { pointer.update(repeating: 0, count: count) }
}

extension Tensor: CustomStringConvertible {
    /// Shape and the first few values, for debugging.
    public var description: String {
        let head = scalars.prefix(8).map { "\($0)" }.joined(separator: ", ")
        return "Tensor(\(shape), [\(head)\(count > 8 ? ", …" : "")])"
    }
}
