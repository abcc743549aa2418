// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Sediment",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "sediment", targets: ["sediment"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        // libgit2 from the system (Debian: libgit2-dev), with typed shims for its variadic calls.
        .systemLibrary(
            name: "CGit2",
            pkgConfig: "libgit2",
            providers: [.apt(["libgit2-dev"])]
        ),
        // Sediment's socket stream for libgit2: connect, stall and deadline limits (libgit2 1.5 has none).
        .target(
            name: "CGitStream",
            linkerSettings: [.linkedLibrary("git2")]
        ),
        .target(
            name: "SedimentGit",
            dependencies: ["CGit2", "CGitStream", "SedimentNetwork", "SedimentRedaction", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // libcurl from the system (Debian: libcurl4-openssl-dev), with typed shims for its variadic calls.
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .target(
            name: "SedimentHTTP",
            dependencies: ["CCurl", "SedimentText", "SedimentNetwork", "SedimentRedaction"]
        ),
        // Which network addresses a URL from hub data may reach.
        .target(name: "SedimentNetwork"),
        // The one rule that keeps secrets (URL credentials, tokens) out of errors and logs.
        .target(name: "SedimentRedaction"),
        // Reading untrusted text: lines whatever their endings, front matter.
        .target(name: "SedimentText", dependencies: [.product(name: "Yams", package: "Yams")]),
        // zstd from the system (Debian: libzstd-dev): blobs in packs are compressed with it.
        .systemLibrary(
            name: "CZstd",
            pkgConfig: "libzstd",
            providers: [.apt(["libzstd-dev"])]
        ),
        // Linux system calls Swift's Glibc module hides (syncfs).
        .target(name: "CShims"),
        .target(
            name: "SedimentStore",
            dependencies: [
                "CShims", "CZstd",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The blob store in an S3-compatible bucket, on libcurl (requests signed by libcurl).
        .target(
            name: "SedimentS3",
            dependencies: [
                "SedimentHTTP", "SedimentNetwork", "SedimentRedaction", "SedimentStore",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "SedimentHubs",
            dependencies: ["SedimentHTTP", "SedimentRedaction", "SedimentText"]
        ),
        .target(
            name: "SedimentMetadata",
            dependencies: ["SedimentStore", "SedimentText"]
        ),
        // The catalog on a PostgreSQL server, through PostgresNIO, behind SQLDatabase.
        .target(
            name: "SedimentPostgres",
            dependencies: [
                "SedimentStore", "SedimentRedaction",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "SedimentEngine",
            dependencies: [
                "SedimentGit", "SedimentStore", "SedimentPostgres", "SedimentS3", "SedimentHubs", "SedimentHTTP", "SedimentMetadata", "SedimentNetwork",
                "SedimentRedaction",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // `sediment serve`: the archive as a Hugging Face–compatible endpoint and a web view.
        .target(
            name: "SedimentServe",
            dependencies: [
                "SedimentEngine", "SedimentStore", "SedimentGit",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "sediment",
            dependencies: [
                "SedimentEngine", "SedimentServe", "SedimentStore", "SedimentMetadata", "SedimentText",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "sediment-bench",
            dependencies: ["SedimentStore", "SedimentS3", "SedimentEngine", "SedimentGit", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .testTarget(
            name: "SedimentStoreTests",
            dependencies: ["SedimentStore", "StoreTestSupport"]
        ),
        .testTarget(
            name: "SedimentS3Tests",
            dependencies: ["SedimentS3", "SedimentStore", "SedimentHTTP", "StoreTestSupport", "TestSupport"]
        ),
        // The conformance suite every blob store backend runs.
        .target(name: "StoreTestSupport", dependencies: ["SedimentStore"], path: "Tests/StoreTestSupport"),
        .testTarget(
            name: "SedimentTextTests",
            dependencies: ["SedimentText"]
        ),
        // What several test targets share: the scripted loopback HTTP server.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(
            name: "SedimentHTTPTests",
            dependencies: ["SedimentHTTP", "SedimentNetwork", "TestSupport"]
        ),
        .testTarget(
            name: "SedimentHubsTests",
            dependencies: ["SedimentHubs"]
        ),
        .testTarget(
            name: "SedimentMetadataTests",
            dependencies: ["SedimentMetadata", "SedimentStore"]
        ),
        .testTarget(
            name: "SedimentRedactionTests",
            dependencies: ["SedimentRedaction"]
        ),
        .testTarget(
            name: "SedimentGitTests",
            dependencies: ["SedimentGit", "TestSupport"]
        ),
        .testTarget(
            name: "SedimentPostgresTests",
            dependencies: ["SedimentPostgres", "SedimentStore", "StoreTestSupport", "TestSupport"]
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["SedimentStore", "SedimentS3", "SedimentPostgres", "SedimentEngine", "SedimentServe", "SedimentMetadata", "TestSupport",
                           .product(name: "Crypto", package: "swift-crypto")]
        ),
    ],
    swiftLanguageModes: [.v6]
)

// Fuzz targets (Fuzz/Targets/<name>/): libFuzzer executables over the parsers of untrusted
// input. They exist only when SEDIMENT_FUZZ=1, as Fuzz/build.sh sets it, so `swift build` and
// `swift test` neither see nor build them.
if Context.environment["SEDIMENT_FUZZ"] == "1" {
    let fuzzers: [(name: String, dependencies: [Target.Dependency])] = [
        ("fuzz-front-matter", ["SedimentText"]),
        ("fuzz-model-card", ["SedimentMetadata"]),
        ("fuzz-model-config", ["SedimentMetadata"]),
        ("fuzz-lfs-pointer", ["SedimentStore"]),
        ("fuzz-onnx-manifest", ["SedimentHubs"]),
        ("fuzz-modelhub-index", ["SedimentHubs"]),
        ("fuzz-pytorch-hub-card", ["SedimentHubs"]),
        ("fuzz-hubconf", ["SedimentHubs"]),
        ("fuzz-huggingface-api", ["SedimentHubs"]),
        ("fuzz-modelzoo-api", ["SedimentHubs"]),
        ("fuzz-lfs-batch", ["SedimentHTTP"]),
        ("fuzz-lfsconfig", ["SedimentHTTP"]),
        ("fuzz-http-headers", ["SedimentHTTP"]),
        ("fuzz-manifest", ["SedimentStore"]),
        ("fuzz-configuration", ["SedimentEngine"]),
    ]
    for fuzzer in fuzzers {
        package.targets.append(.executableTarget(name: fuzzer.name, dependencies: fuzzer.dependencies,
                                                 path: "Fuzz/Targets/\(fuzzer.name)"))
    }
}
