import NN
import Tensor

/// The Inception-v3 variant pytorch-fid uses for FID (`fid_inception_v3`), inference only, with
/// its four feature taps. Module names follow torchvision's `Inception3`, so the published
/// `pt_inception-2015-12-05-6726825d.pth` loads by key.
public final class FIDInception: Module {
    /// The feature dimensions pytorch-fid exposes, in network order.
    public static let tapDimensions = [64, 192, 768, 2048]
    /// The side images are resized to before the network (bilinear, as pytorch-fid).
    public static let inputSize = 299

    let conv1a = BasicConv2d(3, 32, kernel: 3, stride: 2)
    let conv2a = BasicConv2d(32, 32, kernel: 3)
    let conv2b = BasicConv2d(32, 64, kernel: 3, padding: 1)
    let conv3b = BasicConv2d(64, 80, kernel: 1)
    let conv4a = BasicConv2d(80, 192, kernel: 3)
    let mixed5b = FIDInceptionA(inChannels: 192, poolFeatures: 32)
    let mixed5c = FIDInceptionA(inChannels: 256, poolFeatures: 64)
    let mixed5d = FIDInceptionA(inChannels: 288, poolFeatures: 64)
    let mixed6a = InceptionB(inChannels: 288)
    let mixed6b = FIDInceptionC(inChannels: 768, channels7x7: 128)
    let mixed6c = FIDInceptionC(inChannels: 768, channels7x7: 160)
    let mixed6d = FIDInceptionC(inChannels: 768, channels7x7: 160)
    let mixed6e = FIDInceptionC(inChannels: 768, channels7x7: 192)
    let mixed7a = InceptionD(inChannels: 768)
    let mixed7b = FIDInceptionE(inChannels: 1280, pool: .averageExcludingPadding)
    let mixed7c = FIDInceptionE(inChannels: 2048, pool: .max)
    public var isTraining = false

    /// A network with all weights zero; load weights before use.
    public init() {}

    public var children: [(name: String, module: any Module)] {
        [("Conv2d_1a_3x3", conv1a), ("Conv2d_2a_3x3", conv2a), ("Conv2d_2b_3x3", conv2b), ("Conv2d_3b_1x1", conv3b),
         ("Conv2d_4a_3x3", conv4a), ("Mixed_5b", mixed5b), ("Mixed_5c", mixed5c), ("Mixed_5d", mixed5d),
         ("Mixed_6a", mixed6a), ("Mixed_6b", mixed6b), ("Mixed_6c", mixed6c), ("Mixed_6d", mixed6d),
         ("Mixed_6e", mixed6e), ("Mixed_7a", mixed7a), ("Mixed_7b", mixed7b), ("Mixed_7c", mixed7c)]
    }

    /// Loads a state dict of torchvision's Inception3 (as published for pytorch-fid). The
    /// classifier (`fc.*`) and auxiliary classifier (`AuxLogits.*`) are not used by FID and are
    /// ignored; every other key must be present with its shape, and no unknown key may remain.
    public func load(stateDict: [String: Tensor]) throws {
        let used = stateDict.filter { !$0.key.hasPrefix("fc.") && !$0.key.hasPrefix("AuxLogits.") }
        try loadStateDict(used, strict: true)
        forEachBasicConv { $0.resetFolding() }
    }

    /// A network whose every weight is a fixed hash of (key, index, `seed`): the "random weights"
    /// for demos and tests, reproduced bit for bit by scripts/reference/fid_reference.py at seed 0.
    public static func hashInitialized(seed: UInt32 = 0) -> FIDInception {
        let net = FIDInception()
        HashWeights.fill(net, seed: seed)
        net.forEachBasicConv { $0.resetFolding() }
        return net
    }

    /// Pooled features of `images` ([N, 3, H, W], values in [-1, 1]) at each dimension in `taps`
    /// (64, 192, 768, 2048), as [N × dimension] row-major. Images are resized to 299×299 first
    /// (bilinear, align_corners=False) unless already that size; the network stops after the
    /// deepest requested tap. Runs without recording gradients.
    ///
    /// The network runs on groups of `group` images (the last may be smaller), spread over the BLAS
    /// threads with each group on one thread (`BLASKernel.splittingCalls`): no hand-offs between
    /// threads at every layer. An image's features depend on the images in its group (matrix sizes
    /// choose OpenBLAS's blocking), and no longer on the thread count: with each product split across
    /// the threads, taps 768 and 2048 differed in their last bits between one thread and two.
    /// `FIDInceptionGoldenTests` compares one thread with two bit for bit. A batch of one group runs
    /// on one thread.
    public func features(_ images: Tensor, taps: Set<Int>) -> [Int: [Float]] {
        precondition(images.rank == 4 && images.shape[1] == 3, "FIDInception takes [N, 3, H, W], got \(images.shape)")
        precondition(!taps.isEmpty && taps.isSubset(of: Self.tapDimensions), "taps must be among \(Self.tapDimensions), got \(taps.sorted())")
        return GradMode.withoutGradient {
            let side = Self.inputSize
            let resized = images.shape[2] == side && images.shape[3] == side ? images : images.resizedBilinear(height: side, width: side)
            let n = resized.shape[0], groups = (n + Self.group - 1) / Self.group
            forEachBasicConv { _ = $0.folded }  // folded once, before the groups share the network
            var results = [[Int: [Float]]](repeating: [:], count: groups)
            results.withUnsafeMutableBufferPointer { slots in
                let out = slots.baseAddress!
                BLASKernel.splittingCalls(groups) { g in
                    let first = g * Self.group
                    out[g] = features(FeatureMap(nchw: resized, images: first..<min(first + Self.group, n)), taps: taps)
                }
            }
            return Dictionary(uniqueKeysWithValues: taps.map { tap in (tap, results.flatMap { $0[tap]! }) })
        }
    }

    /// Images per group in `features(_:taps:)`.
    public static let group = 4

    /// `features(_:taps:)` of a batch already at 299×299, on the calling thread's BLAS threads.
    private func features(_ input: FeatureMap, taps: Set<Int>) -> [Int: [Float]] {
        var out: [Int: [Float]] = [:]
        let deepest = taps.max()!
        var x = conv2b(conv2a(conv1a(input))).maxPool(kernel: 3, stride: 2, padding: 0)
        if taps.contains(64) { out[64] = x.planeMeans() }
        if deepest == 64 { return out }
        x = conv4a(conv3b(x)).maxPool(kernel: 3, stride: 2, padding: 0)
        if taps.contains(192) { out[192] = x.planeMeans() }
        if deepest == 192 { return out }
        for block in [mixed5b, mixed5c, mixed5d, mixed6a, mixed6b, mixed6c, mixed6d, mixed6e] as [any InceptionBlock] {
            x = block(x)
        }
        if taps.contains(768) { out[768] = x.planeMeans() }
        if deepest == 768 { return out }
        for block in [mixed7a, mixed7b, mixed7c] as [any InceptionBlock] { x = block(x) }
        out[2048] = x.planeMeans()
        return out
    }

    private func forEachBasicConv(_ body: (BasicConv2d) -> Void) {
        func visit(_ m: any Module) {
            if let b = m as? BasicConv2d { body(b); return }
            for (_, child) in m.children { visit(child) }
        }
        visit(self)
    }
}
