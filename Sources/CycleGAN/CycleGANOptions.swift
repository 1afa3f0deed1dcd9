/// CycleGAN's architecture and loss hyperparameters as one immutable value; defaults are the
/// paper's (junyanz/pytorch-CycleGAN-and-pix2pix, METHOD.md) so a demo overrides sizes only.
public struct CycleGANOptions: Equatable, Sendable {
    /// Generator filters in the first layer (paper: 64).
    public var ngf = 64
    /// Discriminator filters in the first layer (paper: 64).
    public var ndf = 64
    /// Residual blocks of each generator (paper: 9 at 256², 6 at 128²).
    public var blocks = 9
    /// Stride-2 layers of the PatchGAN (3 gives the 70×70 receptive field).
    public var discriminatorLayers = 3
    /// Standard deviation of the N(0, σ²) weight initialisation (paper: 0.02).
    public var initStd: Float = 0.02
    /// Weight of each direction's cycle loss (paper: λ = 10).
    public var lambdaCycle: Float = 10
    /// Identity loss weight as a fraction of λ (paper: 0.5).
    public var lambdaIdentity: Float = 0.5
    /// Weight of the patch ("copying from the real") loss on G_A(painting); 0 is plain CycleGAN.
    public var lambdaPatch: Float = 0
    /// Generated images each discriminator's history pool keeps (paper: 50).
    public var poolSize = 50
    /// Adam step size before decay (paper: 2e-4).
    public var learningRate: Float = 2e-4
    /// Adam β1 (paper: 0.5).
    public var beta1: Float = 0.5
    /// Seed of the initial weights and of every random draw of training.
    public var seed: UInt64 = 0
    /// Recompute the generators' residual blocks in backward instead of keeping their activations
    /// (gradient checkpointing): less memory, one more forward of the blocks, the same numbers. Ours.
    public var checkpointBlocks = false

    /// Paper defaults.
    public init() {}

    /// Why these options cannot train, or nil.
    public var problem: String? {
        if ngf < 1 || ndf < 1 { return "ngf and ndf must be positive, got \(ngf) and \(ndf)" }
        if blocks < 0 || discriminatorLayers < 1 { return "blocks must be >= 0 and discriminator layers >= 1" }
        if lambdaCycle < 0 || lambdaIdentity < 0 || lambdaPatch < 0 { return "loss weights must be non-negative" }
        if poolSize < 0 { return "pool size must be >= 0, got \(poolSize)" }
        if !(learningRate > 0) || !(beta1 >= 0 && beta1 < 1) { return "learning rate must be positive and beta1 in [0, 1)" }
        return nil
    }
}
