import Foundation

/// A fault switch for tests only: with `SEDIMENT_FAULT_CRASH_ON_VISIT=HUB:ID` in its
/// environment, the process aborts (SIGABRT) when a visit of that package starts, as a
/// package that crashes the parser would. The quarantine tests use it to crash the daemon
/// reliably; an operator has no use for it. With `SEDIMENT_FAULT_CRASH_AFTER_STORE=HUB:ID`,
/// it aborts when that package's visit record is durable in the store and its catalog
/// transaction not yet written (the crash `sediment rebuild` must pick up after).
enum FaultSwitch {
    static let crashOnVisit = "SEDIMENT_FAULT_CRASH_ON_VISIT"
    static let crashAfterStore = "SEDIMENT_FAULT_CRASH_AFTER_STORE"

    static func crashIfAsked(visiting package: String) {
        guard let name = ProcessInfo.processInfo.environment[crashOnVisit], !name.isEmpty, name == package else { return }
        FileHandle.standardError.write(Data("sediment: \(crashOnVisit) names \(package): aborting (a fault switch for tests)\n".utf8))
        abort()
    }

    static func crashIfAsked(recording package: String) {
        guard let name = ProcessInfo.processInfo.environment[crashAfterStore], !name.isEmpty, name == package else { return }
        FileHandle.standardError.write(Data("sediment: \(crashAfterStore) names \(package): aborting (a fault switch for tests)\n".utf8))
        abort()
    }
}
