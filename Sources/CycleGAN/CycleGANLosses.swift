/// The loss terms of one CycleGAN iteration, weighted as they enter the objectives, under
/// junyanz's names (G_A, cycle_A, idt_A …) plus `patch` for the copying-from-the-real term.
public struct CycleGANLosses: Equatable, Sendable, Codable {
    /// LSGAN loss of G_A against D_A, and of G_B against D_B.
    public var generatorA: Float = 0, generatorB: Float = 0
    /// λ·|G_B(G_A(a)) − a|₁ and λ·|G_A(G_B(b)) − b|₁.
    public var cycleA: Float = 0, cycleB: Float = 0
    /// Identity terms (0.5·λ·|G_A(b) − b|₁ and 0.5·λ·|G_B(a) − a|₁).
    public var identityA: Float = 0, identityB: Float = 0
    /// λ_patch · contextual loss of G_A(a) against its retrieved real patches (0 when off).
    public var patch: Float = 0
    /// Discriminator losses ½(MSE(D(real), 1) + MSE(D(fake), 0)).
    public var discriminatorA: Float = 0, discriminatorB: Float = 0

    /// All zero.
    public init() {}

    /// Every term with its metric name, in a fixed order.
    public var named: [(name: String, value: Float)] {
        [("G_A", generatorA), ("G_B", generatorB), ("cycle_A", cycleA), ("cycle_B", cycleB),
         ("idt_A", identityA), ("idt_B", identityB), ("patch", patch), ("D_A", discriminatorA), ("D_B", discriminatorB)]
    }

    /// Term-wise sum (for window averages).
    public static func + (a: CycleGANLosses, b: CycleGANLosses) -> CycleGANLosses {
        a.combined(with: b, +)
    }

    /// Every term scaled by `c`.
    public func scaled(_ c: Float) -> CycleGANLosses { combined(with: self) { x, _ in x * c } }

    private func combined(with o: CycleGANLosses, _ f: (Float, Float) -> Float) -> CycleGANLosses {
        var r = CycleGANLosses()
        r.generatorA = f(generatorA, o.generatorA); r.generatorB = f(generatorB, o.generatorB)
        r.cycleA = f(cycleA, o.cycleA); r.cycleB = f(cycleB, o.cycleB)
        r.identityA = f(identityA, o.identityA); r.identityB = f(identityB, o.identityB)
        r.patch = f(patch, o.patch)
        r.discriminatorA = f(discriminatorA, o.discriminatorA); r.discriminatorB = f(discriminatorB, o.discriminatorB)
        return r
    }
}
