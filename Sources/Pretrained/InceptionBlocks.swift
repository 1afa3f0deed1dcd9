import NN
import Tensor

/// The bias-free convolution weight of a `BasicConv2d` ([Cout, Cin, kh, kw], key `weight`).
public final class ConvolutionWeight: Module {
    /// [Cout, Cin, kh, kw].
    public let weight: Tensor
    public var isTraining = false

    init(_ shape: [Int]) { weight = Tensor(zeros: shape) }

    public var ownParameters: [(name: String, tensor: Tensor)] { [("weight", weight)] }
}

/// torchvision's `BasicConv2d`: bias-free convolution, batch norm (ε 0.001), ReLU; keys `conv.*`, `bn.*`.
public final class BasicConv2d: Module {
    public let conv: ConvolutionWeight
    public let bn: BatchNorm2d
    public var isTraining = false
    let stride: (Int, Int), padding: (Int, Int)
    private var cached: FoldedConvolution?

    init(_ inChannels: Int, _ outChannels: Int, kernel: (Int, Int), stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0)) {
        conv = ConvolutionWeight([outChannels, inChannels, kernel.0, kernel.1])
        bn = BatchNorm2d(channels: outChannels, epsilon: 0.001)
        bn.isTraining = false
        self.stride = stride
        self.padding = padding
    }

    convenience init(_ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0) {
        self.init(inChannels, outChannels, kernel: (kernel, kernel), stride: (stride, stride), padding: (padding, padding))
    }

    public var children: [(name: String, module: any Module)] { [("conv", conv), ("bn", bn)] }

    /// The convolution with the batch norm folded in, computed once per set of weights.
    var folded: FoldedConvolution {
        if let cached { return cached }
        let s = conv.weight.shape, perOut = s[1] * s[2] * s[3]
        var w = conv.weight.scalars, b = [Float](repeating: 0, count: s[0])
        let gamma = bn.weight.scalars, beta = bn.bias.scalars, mean = bn.runningMean.scalars, variance = bn.runningVar.scalars
        for o in 0..<s[0] {
            let scale = gamma[o] / (variance[o] + bn.epsilon).squareRoot()
            for i in 0..<perOut { w[o * perOut + i] *= scale }
            b[o] = beta[o] - mean[o] * scale
        }
        let f = FoldedConvolution(inChannels: s[1], outChannels: s[0], kernelHeight: s[2], kernelWidth: s[3],
                                  strideH: stride.0, strideW: stride.1, padH: padding.0, padW: padding.1, weight: w, bias: b)
        cached = f
        return f
    }

    /// Forgets the folded weights (after new values were loaded).
    func resetFolding() { cached = nil }

    @discardableResult
    func callAsFunction(_ x: FeatureMap, into target: FeatureMap? = nil, channelOffset: Int = 0) -> FeatureMap {
        folded.apply(x, into: target, channelOffset: channelOffset)
    }
}

/// An Inception block run on channel-major batches.
protocol InceptionBlock: Module {
    func callAsFunction(_ x: FeatureMap) -> FeatureMap
}

/// pytorch-fid's `FIDInceptionA` (Mixed_5b–5d): its pool branch averages without counting padding.
public final class FIDInceptionA: InceptionBlock {
    let branch1x1, branch5x5_1, branch5x5_2, branch3x3dbl_1, branch3x3dbl_2, branch3x3dbl_3, branchPool: BasicConv2d
    public var isTraining = false

    init(inChannels: Int, poolFeatures: Int) {
        branch1x1 = BasicConv2d(inChannels, 64, kernel: 1)
        branch5x5_1 = BasicConv2d(inChannels, 48, kernel: 1)
        branch5x5_2 = BasicConv2d(48, 64, kernel: 5, padding: 2)
        branch3x3dbl_1 = BasicConv2d(inChannels, 64, kernel: 1)
        branch3x3dbl_2 = BasicConv2d(64, 96, kernel: 3, padding: 1)
        branch3x3dbl_3 = BasicConv2d(96, 96, kernel: 3, padding: 1)
        branchPool = BasicConv2d(inChannels, poolFeatures, kernel: 1)
    }

    public var children: [(name: String, module: any Module)] {
        [("branch1x1", branch1x1), ("branch5x5_1", branch5x5_1), ("branch5x5_2", branch5x5_2),
         ("branch3x3dbl_1", branch3x3dbl_1), ("branch3x3dbl_2", branch3x3dbl_2), ("branch3x3dbl_3", branch3x3dbl_3),
         ("branch_pool", branchPool)]
    }

    func callAsFunction(_ x: FeatureMap) -> FeatureMap {
        let out = FeatureMap(channels: 224 + branchPool.conv.weight.shape[0], batch: x.batch, height: x.height, width: x.width)
        branch1x1(x, into: out, channelOffset: 0)
        branch5x5_2(branch5x5_1(x), into: out, channelOffset: 64)
        branch3x3dbl_3(branch3x3dbl_2(branch3x3dbl_1(x)), into: out, channelOffset: 128)
        branchPool(x.averagePool3x3ExcludingPadding(), into: out, channelOffset: 224)
        return out
    }
}

/// torchvision's `InceptionB` (Mixed_6a): grid reduction 35→17.
public final class InceptionB: InceptionBlock {
    let branch3x3, branch3x3dbl_1, branch3x3dbl_2, branch3x3dbl_3: BasicConv2d
    public var isTraining = false

    init(inChannels: Int) {
        branch3x3 = BasicConv2d(inChannels, 384, kernel: 3, stride: 2)
        branch3x3dbl_1 = BasicConv2d(inChannels, 64, kernel: 1)
        branch3x3dbl_2 = BasicConv2d(64, 96, kernel: 3, padding: 1)
        branch3x3dbl_3 = BasicConv2d(96, 96, kernel: 3, stride: 2)
    }

    public var children: [(name: String, module: any Module)] {
        [("branch3x3", branch3x3), ("branch3x3dbl_1", branch3x3dbl_1), ("branch3x3dbl_2", branch3x3dbl_2),
         ("branch3x3dbl_3", branch3x3dbl_3)]
    }

    func callAsFunction(_ x: FeatureMap) -> FeatureMap {
        let (oh, ow) = branch3x3.folded.outputSize(x)
        let out = FeatureMap(channels: 480 + x.channels, batch: x.batch, height: oh, width: ow)
        branch3x3(x, into: out, channelOffset: 0)
        branch3x3dbl_3(branch3x3dbl_2(branch3x3dbl_1(x)), into: out, channelOffset: 384)
        x.maxPool(kernel: 3, stride: 2, padding: 0, into: out, channelOffset: 480)
        return out
    }
}

/// pytorch-fid's `FIDInceptionC` (Mixed_6b–6e): factorised 7×7 branches; pool branch without padding counted.
public final class FIDInceptionC: InceptionBlock {
    let branch1x1, branch7x7_1, branch7x7_2, branch7x7_3: BasicConv2d
    let branch7x7dbl_1, branch7x7dbl_2, branch7x7dbl_3, branch7x7dbl_4, branch7x7dbl_5, branchPool: BasicConv2d
    public var isTraining = false

    init(inChannels: Int, channels7x7 c7: Int) {
        branch1x1 = BasicConv2d(inChannels, 192, kernel: 1)
        branch7x7_1 = BasicConv2d(inChannels, c7, kernel: 1)
        branch7x7_2 = BasicConv2d(c7, c7, kernel: (1, 7), padding: (0, 3))
        branch7x7_3 = BasicConv2d(c7, 192, kernel: (7, 1), padding: (3, 0))
        branch7x7dbl_1 = BasicConv2d(inChannels, c7, kernel: 1)
        branch7x7dbl_2 = BasicConv2d(c7, c7, kernel: (7, 1), padding: (3, 0))
        branch7x7dbl_3 = BasicConv2d(c7, c7, kernel: (1, 7), padding: (0, 3))
        branch7x7dbl_4 = BasicConv2d(c7, c7, kernel: (7, 1), padding: (3, 0))
        branch7x7dbl_5 = BasicConv2d(c7, 192, kernel: (1, 7), padding: (0, 3))
        branchPool = BasicConv2d(inChannels, 192, kernel: 1)
    }

    public var children: [(name: String, module: any Module)] {
        [("branch1x1", branch1x1), ("branch7x7_1", branch7x7_1), ("branch7x7_2", branch7x7_2), ("branch7x7_3", branch7x7_3),
         ("branch7x7dbl_1", branch7x7dbl_1), ("branch7x7dbl_2", branch7x7dbl_2), ("branch7x7dbl_3", branch7x7dbl_3),
         ("branch7x7dbl_4", branch7x7dbl_4), ("branch7x7dbl_5", branch7x7dbl_5), ("branch_pool", branchPool)]
    }

    func callAsFunction(_ x: FeatureMap) -> FeatureMap {
        let out = FeatureMap(channels: 768, batch: x.batch, height: x.height, width: x.width)
        branch1x1(x, into: out, channelOffset: 0)
        branch7x7_3(branch7x7_2(branch7x7_1(x)), into: out, channelOffset: 192)
        let d = branch7x7dbl_4(branch7x7dbl_3(branch7x7dbl_2(branch7x7dbl_1(x))))
        branch7x7dbl_5(d, into: out, channelOffset: 384)
        branchPool(x.averagePool3x3ExcludingPadding(), into: out, channelOffset: 576)
        return out
    }
}

/// torchvision's `InceptionD` (Mixed_7a): grid reduction 17→8.
public final class InceptionD: InceptionBlock {
    let branch3x3_1, branch3x3_2, branch7x7x3_1, branch7x7x3_2, branch7x7x3_3, branch7x7x3_4: BasicConv2d
    public var isTraining = false

    init(inChannels: Int) {
        branch3x3_1 = BasicConv2d(inChannels, 192, kernel: 1)
        branch3x3_2 = BasicConv2d(192, 320, kernel: 3, stride: 2)
        branch7x7x3_1 = BasicConv2d(inChannels, 192, kernel: 1)
        branch7x7x3_2 = BasicConv2d(192, 192, kernel: (1, 7), padding: (0, 3))
        branch7x7x3_3 = BasicConv2d(192, 192, kernel: (7, 1), padding: (3, 0))
        branch7x7x3_4 = BasicConv2d(192, 192, kernel: 3, stride: 2)
    }

    public var children: [(name: String, module: any Module)] {
        [("branch3x3_1", branch3x3_1), ("branch3x3_2", branch3x3_2), ("branch7x7x3_1", branch7x7x3_1),
         ("branch7x7x3_2", branch7x7x3_2), ("branch7x7x3_3", branch7x7x3_3), ("branch7x7x3_4", branch7x7x3_4)]
    }

    func callAsFunction(_ x: FeatureMap) -> FeatureMap {
        let a = branch3x3_1(x)
        let (oh, ow) = branch3x3_2.folded.outputSize(a)
        let out = FeatureMap(channels: 512 + x.channels, batch: x.batch, height: oh, width: ow)
        branch3x3_2(a, into: out, channelOffset: 0)
        branch7x7x3_4(branch7x7x3_3(branch7x7x3_2(branch7x7x3_1(x))), into: out, channelOffset: 320)
        x.maxPool(kernel: 3, stride: 2, padding: 0, into: out, channelOffset: 512)
        return out
    }
}

/// pytorch-fid's `FIDInceptionE_1` (Mixed_7b, average pool without padding counted) and
/// `FIDInceptionE_2` (Mixed_7c, max pool), which differ only in the pool branch.
public final class FIDInceptionE: InceptionBlock {
    /// The pool feeding the pool branch.
    enum Pool { case averageExcludingPadding, max }
    let pool: Pool
    let branch1x1, branch3x3_1, branch3x3_2a, branch3x3_2b: BasicConv2d
    let branch3x3dbl_1, branch3x3dbl_2, branch3x3dbl_3a, branch3x3dbl_3b, branchPool: BasicConv2d
    public var isTraining = false

    init(inChannels: Int, pool: Pool) {
        self.pool = pool
        branch1x1 = BasicConv2d(inChannels, 320, kernel: 1)
        branch3x3_1 = BasicConv2d(inChannels, 384, kernel: 1)
        branch3x3_2a = BasicConv2d(384, 384, kernel: (1, 3), padding: (0, 1))
        branch3x3_2b = BasicConv2d(384, 384, kernel: (3, 1), padding: (1, 0))
        branch3x3dbl_1 = BasicConv2d(inChannels, 448, kernel: 1)
        branch3x3dbl_2 = BasicConv2d(448, 384, kernel: 3, padding: 1)
        branch3x3dbl_3a = BasicConv2d(384, 384, kernel: (1, 3), padding: (0, 1))
        branch3x3dbl_3b = BasicConv2d(384, 384, kernel: (3, 1), padding: (1, 0))
        branchPool = BasicConv2d(inChannels, 192, kernel: 1)
    }

    public var children: [(name: String, module: any Module)] {
        [("branch1x1", branch1x1), ("branch3x3_1", branch3x3_1), ("branch3x3_2a", branch3x3_2a),
         ("branch3x3_2b", branch3x3_2b), ("branch3x3dbl_1", branch3x3dbl_1), ("branch3x3dbl_2", branch3x3dbl_2),
         ("branch3x3dbl_3a", branch3x3dbl_3a), ("branch3x3dbl_3b", branch3x3dbl_3b), ("branch_pool", branchPool)]
    }

    func callAsFunction(_ x: FeatureMap) -> FeatureMap {
        let out = FeatureMap(channels: 2048, batch: x.batch, height: x.height, width: x.width)
        branch1x1(x, into: out, channelOffset: 0)
        let a = branch3x3_1(x)
        branch3x3_2a(a, into: out, channelOffset: 320)
        branch3x3_2b(a, into: out, channelOffset: 704)
        let d = branch3x3dbl_2(branch3x3dbl_1(x))
        branch3x3dbl_3a(d, into: out, channelOffset: 1088)
        branch3x3dbl_3b(d, into: out, channelOffset: 1472)
        let pooled = pool == .max ? x.maxPool(kernel: 3, stride: 1, padding: 1) : x.averagePool3x3ExcludingPadding()
        branchPool(pooled, into: out, channelOffset: 1856)
        return out
    }
}
