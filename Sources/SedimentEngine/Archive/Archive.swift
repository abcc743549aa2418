import Foundation
import SedimentGit
import SedimentStore
import SedimentText

/// An opened archive: the storage folder with its catalog, blob store and mirrors. The blob
/// store is reached only through the ``BlobStore`` protocol; on a local disk it is a
/// ``PackStore`` whose index lives in the catalog.
public final class Archive: Sendable {
    public let configuration: Configuration
    public let catalog: Catalog
    public let blobs: any BlobStore
    /// Held while this process writes to the archive; nil for read-only use.
    private let lock: StorageLock?
    /// This process as a worker of a shared catalog, while it writes to it.
    let worker: WorkerSession?

    /// Opens the archive for writing (creating its folders), taking the storage lock so that
    /// no other `sediment` process writes to it at the same time.
    public static func openForWriting(_ configuration: Configuration) throws -> Archive {
        for folder in [configuration.storage.path, configuration.mirrorsPath] {
            do {
                try Folder.make(folder, operation: "create the folder")
            } catch let error as FileError {
                throw ArchiveError.storage(path: folder, problem: "cannot create the folder: \(error.cause)")
            }
        }
        let lock = try StorageLock.acquire(path: configuration.storage.path + "/lock")
        let catalog = try configuration.catalogLocation.open()
        // Several workers share a catalog only with a store they all reach (a bucket);
        // with a local store a worker writes alone.
        let worker = configuration.catalogLocation.isShared
            ? try WorkerSession.start(catalog: catalog, location: configuration.catalogLocation, storage: configuration.storage.path,
                                      fleet: configuration.storeLocation.isShared) : nil
        let blobs = try openStore(configuration.storeLocation, index: catalog, configuration: configuration)
        blobs.removeStaleTemporaries()
        let recovered = try blobs.recoverInterruptedWrites()
        if recovered > 0 {
            FileHandle.standardError.write(Data("sediment: indexed \(recovered) pack(s) an interrupted run made durable but did not index\n".utf8))
        }
        // This process holds the lock: a crawl still marked running was left by one that
        // stopped, and a visit still in progress by one that was killed or crashed. Only a
        // crash counts against the packages in flight.
        let crash = CrashMarker.previousCrash(storage: configuration.storage.path)
        // In a fleet, only the crawls and visits of workers that are gone are abandoned.
        let scope = try worker.flatMap { $0.fleet ? try $0.goneWorkers() : nil }
        for crashed in try catalog.closeAbandonedCrawls(countingCrashes: crash != nil, scope: scope) {
            FileHandle.standardError.write(Data("sediment: \(Self.note(crashed, crash: crash ?? ""))\n".utf8))
        }
        try CrashMarker.arm(storage: configuration.storage.path)
        blobs.removeUnwantedPartials(keeping: try catalog.pendingLFSObjects())
        let archive = Archive(configuration: configuration, catalog: catalog, blobs: blobs, lock: lock, worker: worker)
        for note in try archive.relocateLegacyMirrors() {
            FileHandle.standardError.write(Data("sediment: upgrading the archive: \(note)\n".utf8))
        }
        return archive
    }

    /// What opening the archive says of a package in flight when the previous process crashed.
    static func note(_ crashed: CrashedVisit, crash: String) -> String {
        let name = TerminalText.escaped(crashed.package)
        if crashed.quarantined {
            return "\(name) quarantined: the process crashed during its visit \(crashed.crashes) times in a row "
                + "(\(ScheduleRecord.crashReason)); it is visited again after `sediment unpark \(name)` or when its hub lists a new version"
        }
        return "the previous process crashed (\(crash)) while visiting \(name); it is visited next, alone"
    }

    /// Opens an existing archive for reading; writes nothing, except that a catalog written by
    /// an older version is first upgraded (its migrations applied) when no other process holds
    /// the archive.
    public static func openForReading(_ configuration: Configuration) throws -> Archive {
        let location = configuration.catalogLocation
        var catalog = try location.openForReading()
        if try catalog.needsUpgrade() {
            if location.isShared {
                // Workers migrate a shared catalog under the database's own lock.
                catalog = try location.open()
            } else {
                let lock = try StorageLock.acquire(path: configuration.storage.path + "/lock")
                _ = try location.open()
                withExtendedLifetime(lock) {}
                catalog = try location.openForReading()
            }
        }
        // Opened at first use: commands that read only the catalog need no store (nor a
        // bucket's credentials).
        let index = catalog
        let blobs = DeferredStore { try openStore(configuration.storeLocation, index: index, configuration: configuration) }
        return Archive(configuration: configuration, catalog: catalog, blobs: blobs, lock: nil, worker: nil)
    }

    private init(configuration: Configuration, catalog: Catalog, blobs: any BlobStore, lock: StorageLock?, worker: WorkerSession?) {
        self.configuration = configuration
        self.catalog = catalog
        self.blobs = blobs
        self.lock = lock
        self.worker = worker
    }

    /// Before exiting on purpose with visits still busy (a stop after `stop_timeout`): forgets
    /// them, so that the next start does not count them as crashes. Waits for the catalog at
    /// most `timeout` seconds (a transaction of a busy visit may hold it): the exit must not hang.
    public func forgetRunningVisitsBeforeExit(timeout: TimeInterval = 5) {
        let done = DispatchSemaphore(value: 0)
        let catalog = self.catalog
        let worker = self.worker.flatMap { $0.fleet ? $0.id : nil }
        Thread.detachNewThread {
            try? catalog.forgetRunningVisits(worker: worker)
            done.signal()
        }
        _ = done.wait(timeout: .now() + timeout)
    }

    /// Whether several workers may write to this archive at once: its catalog and its store
    /// are shared (PostgreSQL and a bucket). Each worker then has the mirrors of the
    /// repositories it visited, in its own storage folder.
    public var isFleet: Bool {
        configuration.catalogLocation.isShared && configuration.storeLocation.isShared
    }

    /// The absolute folder of a mirror recorded as `relative` in the catalog.
    public func mirrorFolder(_ relative: String) -> String {
        configuration.mirrorsPath + "/" + relative
    }
}

/// Errors about the storage folder itself.
public enum ArchiveError: Error, CustomStringConvertible {
    case storage(path: String, problem: String)
    case locked(path: String, holder: String)

    public var description: String {
        switch self {
        case .storage(let path, let problem): return "storage \(path): \(problem)"
        case .locked(let path, let holder):
            return "the archive is in use by another sediment process (\(holder)); lock \(path). Stop it, or wait for it to finish."
        }
    }
}

/// An exclusive `flock` on a file in the storage folder, released when the process exits.
final class StorageLock: Sendable {
    private let fd: Int32

    private init(fd: Int32) { self.fd = fd }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }

    static func acquire(path: String) throws -> StorageLock {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ArchiveError.storage(path: path, problem: "cannot open the lock file: \(String(cString: strerror(errno)))") }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            var buffer = [UInt8](repeating: 0, count: 128)
            let n = pread(fd, &buffer, 127, 0)
            let holder = n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : "unknown pid"
            close(fd)
            throw ArchiveError.locked(path: path, holder: holder)
        }
        let text = "pid \(getpid())\n"
        ftruncate(fd, 0)
        _ = text.withCString { pwrite(fd, $0, strlen($0), 0) }
        return StorageLock(fd: fd)
    }
}
