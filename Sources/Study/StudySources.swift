import Imaging

/// The image folders a study draws from; nil where the design does not need them.
package struct StudySources: Sendable {
    package var paintings: ImageFolder?
    /// The plain CycleGAN results, named like their paintings.
    package var baseline: ImageFolder?
    /// The method's results, named like their paintings.
    package var method: ImageFolder?
    package var real: ImageFolder?

    package init(paintings: ImageFolder?, baseline: ImageFolder?, method: ImageFolder?, real: ImageFolder?) {
        self.paintings = paintings
        self.baseline = baseline
        self.method = method
        self.real = real
    }

    /// Paintings with both a baseline and a method result of the same relative path.
    package var paired: [String] {
        guard let paintings, let baseline, let method else { return [] }
        let both = Set(baseline.relativePaths).intersection(method.relativePaths)
        return paintings.relativePaths.filter { both.contains($0) }
    }
}
