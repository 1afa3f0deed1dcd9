/// Names the `user_study` stage kind and its outputs share with the tools that read them.
public enum UserStudyKind {
    public static let name = "user_study"
    public static let sheetsOutput = "sheets"
    public static let keyOutput = "key"
    public static let printOutput = "print"
}
