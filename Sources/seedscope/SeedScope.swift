import ArgumentParser
import Foundation
import SAEKit

@main
struct SeedScope: ParsableCommand {
    static func main() {
        BLASKernel.reexecWithFastKernelIfNeeded()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            exit(withError: error)
        }
    }

    static let configuration = CommandConfiguration(
        commandName: "seedscope",
        abstract: "Do SAEs trained with different seeds learn the same latents? Explore, train, match.",
        subcommands: [
            // One line per command, so parallel work merges cleanly.
            Inspect.self,
            Eval.self,
            Export.self,
            Generate.self,
            Run.self,
            Import.self,
            Report.self,
            TUICommand.self,
            Match.self,
            Train.self,
            Profile.self,
            Latent.self,
            Agree.self,
        ])
}

/// Runs `body`, turning any error into one line on stderr and exit code 1.
func runReportingErrors(_ body: () throws -> Void) throws {
    do { try body() } catch let e as ExitCode { throw e } catch let e as CleanExit { throw e } catch {
        FileHandle.standardError.write(Data("seedscope: \(error)\n".utf8))
        throw ExitCode(1)
    }
}
