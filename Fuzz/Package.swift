// swift-tools-version:6.0
import PackageDescription

// Coverage-guided fuzzing of lvc's decoders with libFuzzer (the Swift toolchain's). Not part of
// lvc's build or of `swift test`: Fuzz/run.sh builds this package with `-sanitize=fuzzer` and runs
// each target for a while. See Fuzz/README.md.

// A package that a path points to is known by its folder's name, which depends on the clone.
let lvc = String(Context.packageDirectory.split(separator: "/").dropLast().last ?? "lvc")

let package = Package(
    name: "lvc-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(path: "..")],
    targets: [
        .target(name: "LibFuzzer"),
        .executableTarget(
            name: "lvc-fuzz",
            dependencies: [
                "LibFuzzer",
                .product(name: "LVCKit", package: lvc),
                .product(name: "LVCStore", package: lvc),
            ],
            // The toolchain's lld: gold fails on the sanitizers' objects.
            linkerSettings: [.unsafeFlags(["-use-ld=lld"])]
        ),
    ]
)
