// swift-tools-version:6.0
import PackageDescription

// Release builds of lvc's own modules:
// * every function in a section of its own, local ones too (by default swiftc does so only for
//   public functions), so that the release link can place the functions a command runs side by
//   side (Documentation/Decisions/0019-function-order.md);
// * generic types' metadata made by direct calls that pass the protocol conformances, not looked
//   up by mangled name: the runtime checks such a name's conformances, and the first check of each
//   reads the conformance records of the whole binary (decision 0021).
// fixtures/build-release.sh passes both to every module, dependencies too.
let releaseCodeGeneration: [SwiftSetting] = [
    .unsafeFlags([
        "-Xfrontend", "-function-sections",
        "-Xfrontend", "-disable-concrete-type-metadata-mangled-name-accessors",
    ], .when(configuration: .release)),
]

let package = Package(
    name: "lvc",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "lvc", targets: ["lvc"]),
        .library(name: "LVCKit", targets: ["LVCKit"]),
        .library(name: "LVCStore", targets: ["LVCStore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // zlib from the system (Debian: zlib1g-dev). Not named CZlib: ZIPFoundation owns that name.
        .systemLibrary(
            name: "LVCZlib",
            path: "Sources/LVCZlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // SHA-256 from the system's OpenSSL (Debian: libssl-dev): as fast as any (SHA-NI), and its
        // state can be saved and resumed (Documentation/Decisions/0013-sha256.md).
        .systemLibrary(
            name: "LVCOpenSSL",
            path: "Sources/LVCOpenSSL",
            providers: [.apt(["libssl-dev"])]
        ),
        // glibc calls the Glibc module does not import: malloc_trim (decision 0023) and
        // sync_file_range (decision 0024).
        .systemLibrary(name: "LVCSystem", path: "Sources/LVCSystem"),
        // The git-compatible database: object ids, codecs, loose and packed objects, refs, index, locks.
        .target(
            name: "LVCStore",
            dependencies: [
                "LVCZlib",
                "LVCOpenSSL",
                "LVCSystem",
            ],
            // zlib and libcrypto linked statically: only the code lvc calls comes in (for libcrypto,
            // SHA-256 and CPU detection), and no command pays for loading and relocating the shared
            // libraries when it starts (Documentation/Decisions/0012-start-up-time.md).
            swiftSettings: releaseCodeGeneration,
            linkerSettings: [.unsafeFlags(["-Xlinker", "-l:libcrypto.a", "-Xlinker", "-l:libz.a"])]
        ),
        // The Lambda model on top of the store: configuration, publish, qualifiers, packages.
        .target(name: "LVCKit", dependencies: ["LVCStore", "LVCSystem"], swiftSettings: releaseCodeGeneration),
        // The command line: one file per subcommand; rendering and terminal concerns.
        .executableTarget(
            name: "lvc",
            dependencies: [
                "LVCKit",
                "LVCStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            exclude: ["function-order.txt"],
            swiftSettings: releaseCodeGeneration,
            // Release builds are linked by lld (the Swift toolchain's), which places the functions
            // lvc's common commands run side by side (function-order.txt, made by
            // Benchmarks/function-order.sh): each command then maps fewer pages of code, so it
            // starts sooner and takes less memory (Documentation/Decisions/0019-function-order.md).
            linkerSettings: [
                .unsafeFlags([
                    "-use-ld=lld",
                    "-Xlinker", "--symbol-ordering-file=\(Context.packageDirectory)/Sources/lvc/function-order.txt",
                    "-Xlinker", "--no-warn-symbol-ordering",
                ], .when(configuration: .release)),
            ]
        ),
        .testTarget(name: "LVCStoreTests", dependencies: ["LVCStore"]),
        .testTarget(name: "LVCKitTests", dependencies: ["LVCKit"]),
        // The command line's parsing, in process (`@testable import lvc`).
        .testTarget(
            name: "CommandLineTests",
            dependencies: ["lvc", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // Runs the built `lvc` binary in temp folders (the dependency makes `swift test` build it).
        .testTarget(name: "EndToEndTests", dependencies: ["lvc", "LVCStore"]),
    ]
)
