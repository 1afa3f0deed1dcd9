import NN
import Tensor

/// The sizes of a junyanz `ResnetGenerator`, as read from the shapes of its state dict.
public struct GeneratorArchitecture: Equatable, Sendable, CustomStringConvertible {
    /// Channels of the images it reads (3 for RGB).
    public var inputChannels: Int
    /// Channels of the images it writes.
    public var outputChannels: Int
    /// Filters of the first convolution (junyanz `--ngf`).
    public var ngf: Int
    /// Residual blocks (`resnet_9blocks`: 9).
    public var blocks: Int
    /// Whether each residual block carries a `Dropout(0.5)` (junyanz without `--no_dropout`), which
    /// shifts the keys of the block's second convolution from `conv_block.5` to `conv_block.6`.
    /// Inference (PyTorch's `eval()`) makes dropout the identity, so only the keys differ.
    public var dropout: Bool

    public init(inputChannels: Int = 3, outputChannels: Int = 3, ngf: Int, blocks: Int, dropout: Bool = false) {
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.ngf = ngf
        self.blocks = blocks
        self.dropout = dropout
    }

    public var description: String {
        "ngf \(ngf), \(blocks) blocks\(dropout ? ", dropout" : ""), \(inputChannels)→\(outputChannels) channels"
    }

    /// Reads the architecture from `state` (keys already without `module.`): ngf and input
    /// channels from `model.1.weight`, blocks from the `model.N.conv_block` indices, dropout from
    /// where the second block convolution sits, output channels from the last convolution. A
    /// state dict that is not shaped like junyanz's ResnetGenerator (its upsampling done by
    /// something other than `ConvTranspose2d` at `model.10+blocks`, say) fails naming the key.
    public static func infer(from state: [String: Tensor], path: String) throws -> GeneratorArchitecture {
        func fail(_ reason: String) -> CheckpointError { CheckpointError(path: path, reason: reason) }
        guard let first = state["model.1.weight"] else {
            let sample = state.keys.sorted().prefix(4).joined(separator: ", ")
            throw fail("no key 'model.1.weight': not a junyanz ResnetGenerator state dict (keys start \(sample.isEmpty ? "nowhere: it is empty" : sample))")
        }
        guard first.rank == 4, first.shape[2] == 7, first.shape[3] == 7 else {
            throw fail("'model.1.weight' has shape \(first.shape), expected [ngf, channels, 7, 7]")
        }
        let ngf = first.shape[0], inputChannels = first.shape[1]
        var blockIndices = Set<Int>()
        for key in state.keys where key.hasPrefix("model.") && key.contains(".conv_block.") {
            let parts = key.split(separator: ".")
            guard parts.count >= 2, let index = Int(parts[1]) else { continue }
            blockIndices.insert(index)
        }
        let blocks = blockIndices.count
        if blocks > 0, blockIndices != Set(10..<(10 + blocks)) {
            throw fail("residual blocks at model.\(blockIndices.sorted().map(String.init).joined(separator: ", model.")), "
                       + "expected model.10 to model.\(9 + blocks)")
        }
        var dropout = false
        if blocks > 0 {
            let withDropout = state["model.10.conv_block.6.weight"].map { $0.rank == 4 } ?? false
            let without = state["model.10.conv_block.5.weight"].map { $0.rank == 4 } ?? false
            switch (without, withDropout) {
            case (true, false): dropout = false
            case (false, true): dropout = true
            default:
                throw fail("cannot find the second convolution of residual block model.10 "
                           + "('model.10.conv_block.5.weight', or 'conv_block.6.weight' with dropout)")
            }
        }
        let up = 10 + blocks
        guard let transposed = state["model.\(up).weight"], transposed.shape == [4 * ngf, 2 * ngf, 3, 3] else {
            let found = state["model.\(up).weight"].map { "has shape \($0.shape)" } ?? "is missing"
            throw fail("'model.\(up).weight' \(found); junyanz's ResnetGenerator (ngf \(ngf), \(blocks) blocks) upsamples with "
                       + "ConvTranspose2d of shape \([4 * ngf, 2 * ngf, 3, 3]) there (an upsample+conv variant is not supported)")
        }
        let last = up + 7
        guard let final = state["model.\(last).weight"], final.rank == 4, final.shape[1] == ngf else {
            let found = state["model.\(last).weight"].map { "has shape \($0.shape)" } ?? "is missing"
            throw fail("'model.\(last).weight' \(found), expected the final 7×7 convolution [channels, \(ngf), 7, 7]")
        }
        return GeneratorArchitecture(inputChannels: inputChannels, outputChannels: final.shape[0], ngf: ngf, blocks: blocks,
                                     dropout: dropout)
    }
}
