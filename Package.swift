// swift-tools-version:6.0
// seedscope: do SAEs trained with different seeds learn the same latents?
import PackageDescription

let package = Package(
    name: "seedscope",
    products: [
        .executable(name: "seedscope", targets: ["seedscope"]),
        .library(name: "SAEKit", targets: ["SAEKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // System libraries: module map + shim header (see ../shared/reference/platform.md).
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),
        .systemLibrary(name: "CNcurses", path: "Sources/CNcurses"),
        // zlib's inflate, for DEFLATE members of .npz archives (Gemma Scope params.npz).
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        // The engine. Never imports curses or ArgumentParser.
        .target(name: "SAEKit", dependencies: ["CBLAS", "CZlib"], path: "Sources/SAEKit"),
        // The TUI. Only Terminal/Curses*.swift touches CNcurses.
        .target(name: "SeedScopeUI", dependencies: ["SAEKit", "CNcurses"], path: "Sources/SeedScopeUI"),
        .executableTarget(
            name: "seedscope",
            dependencies: ["SAEKit", "SeedScopeUI",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/seedscope"),
        // Benchmarks live apart from tests (`make bench`), release builds only.
        .executableTarget(name: "seedscope-bench", dependencies: ["SAEKit", "SeedScopeUI"],
                          path: "Sources/seedscope-bench"),
        .testTarget(name: "SAEKitTests", dependencies: ["SAEKit"], path: "Tests/SAEKitTests",
                    resources: []),
        .testTarget(name: "SeedScopeUITests", dependencies: ["SeedScopeUI", "SAEKit"],
                    path: "Tests/SeedScopeUITests"),
    ],
    swiftLanguageModes: [.v6]
)
