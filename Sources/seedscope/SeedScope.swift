import ArgumentParser
import Foundation
import SAEKit

@main
struct SeedScope: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seedscope",
        abstract: "Do SAEs trained with different seeds learn the same latents? Explore, train, match.",
        subcommands: [Inspect.self])
}

/// Runs `body`, turning any error into one line on stderr and exit code 1.
func runReportingErrors(_ body: () throws -> Void) throws {
    do { try body() } catch let e as ExitCode { throw e } catch let e as CleanExit { throw e } catch {
        FileHandle.standardError.write(Data("seedscope: \(error)\n".utf8))
        throw ExitCode(1)
    }
}
