import ArgumentParser
import Foundation
import SedimentEngine

/// `sediment verify`: re-hash what is stored and check every reference.
struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Re-hash stored blobs and manifests and check every reference; exit 3 on damage.",
        discussion: "With --sample, a random share of the blobs and manifests is re-hashed, so a large archive can be verified over several runs; references are always all checked.")

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: ArgumentHelp("The share of blobs and manifests to re-hash, in percent.", valueName: "percent"))
    var sample: Double = 100

    func validate() throws {
        guard sample > 0 && sample <= 100 else { throw ValidationError("--sample must be a percentage above 0 and at most 100") }
    }

    func run() throws {
        let archive = try global.openArchive()
        let terminal = Output.stderrIsTerminal
        let report = try Verifier(archive: archive).verify(sample: sample) { step in
            if terminal { Output.progress("\r\u{1B}[K\(step)…") }
        }
        if terminal { Output.progress("\r\u{1B}[K") }
        for problem in report.problems { Output.line("damage: \(problem)") }
        Output.line("checked \(report.manifestsChecked) manifests, \(report.blobsChecked) blobs, \(report.referencesChecked) mirror references: "
                    + (report.damaged ? "\(report.problems.count) problems" : "no damage"))
        if report.damaged { throw ExitCode(ExitStatus.damage) }
    }
}
