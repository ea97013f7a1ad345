import Testing
@testable import LVCKit
@testable import LVCStore

/// Small text builders on the common commands' path. They avoid the standard library's generic
/// `joined(separator:)` and `String(some Sequence<Character>)` (decision 0021); these tests pin
/// the text they make.
@Suite struct TextHelpersTests {
    @Test func normalizedPathsAreAbsoluteWithoutDotsOrDoubleSlashes() {
        #expect(Repository.normalize("/work/fn") == "/work/fn")
        #expect(Repository.normalize("/work/./fn/../other/") == "/work/other")
        #expect(Repository.normalize("//work//fn") == "/work/fn")
        #expect(Repository.normalize("/") == "/")
        #expect(Repository.normalize("/..") == "/")
        #expect(Repository.normalize("/a/../..") == "/")
    }

    @Test func revisionIdsDerivedFromAChecksumAreUUIDShaped() {
        let hex = String(repeating: "0123456789abcdef", count: 4)
        #expect(Latest.uuidShaped(hex) == "01234567-89ab-cdef-0123-456789abcdef")
        #expect(Latest.uuidShaped(String(hex.prefix(32))) == "01234567-89ab-cdef-0123-456789abcdef")
    }

    @Test func aVersionMessageEndsWithItsTrailers() {
        var configuration = FunctionConfiguration()
        configuration.description = "  first release "
        configuration.runtime = "nodejs20.x"
        configuration.handler = "index.handler"
        let tree = ObjectID(bytes: [UInt8](repeating: 0xAB, count: 32))
        let message = Repository.versionMessage(
            number: 3, configuration: configuration, digest: .init(sha256Base64: "c2hh", size: 42),
            revisionId: "rev", latestTree: tree, functionArn: "arn:aws:lambda:r:1:function:fn")
        #expect(message == """
            Publish version 3

            first release

            Lambda-Function: arn:aws:lambda:r:1:function:fn
            Lambda-Version: 3
            Lambda-Code-Sha256: c2hh
            Lambda-Code-Size: 42
            Lambda-Package-Layout: 2
            Lambda-Revision-Id: rev
            Lambda-Latest-Tree: \(String(repeating: "ab", count: 32))
            Lambda-Runtime: nodejs20.x
            Lambda-Handler: index.handler

            """)
        let bare = Repository.versionMessage(
            number: 1, configuration: FunctionConfiguration(), digest: .init(sha256Base64: "x", size: 0),
            revisionId: "r", latestTree: tree, functionArn: "arn")
        #expect(bare.hasPrefix("Publish version 1\n\nLambda-Function: arn\nLambda-Version: 1\n"))
        #expect(bare.hasSuffix("Lambda-Latest-Tree: \(tree.hex)\n"))
    }
}
