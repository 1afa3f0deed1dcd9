/// How a semantic patch loss combines its classes at one scale.
public enum ClassTerms: String, Sendable, CaseIterable {
    /// The authors' (aimagelab/art2real `compute_contextual`): per class present one term
    /// −log(mean row max) over the patches that joined it (`PatchClassMembership`), summed with no
    /// weight; a class the bank lacks keeps its own term, searched in class 0's bank with its mean;
    /// the bank's stored mean (`means/<c>.npy` of an imported bank) is subtracted as stored.
    case authors
    /// PleinAir's own: one class per patch (`PatchClassRule`), the classes' terms weighted by their
    /// share of the image's patches, classes the bank lacks merged into class 0's term.
    case shares
}
