/// Names the `user_study` stage kind and its outputs share with the tools that read them.
package enum UserStudyKind {
    package static let name = "user_study"
    package static let sheetsOutput = "sheets"
    package static let keyOutput = "key"
    package static let printOutput = "print"
}
