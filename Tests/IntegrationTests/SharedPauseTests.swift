import Foundation
@testable import SedimentEngine
import SedimentHTTP
import SedimentStore
import Synchronization
import XCTest

/// A pause a server asks of one worker (HTTP 429 with `Retry-After`) holds the other workers
/// of the fleet back too, through the catalog: the rate limit is the account's, not one
/// process's.
final class SharedPauseTests: XCTestCase {
    func testAPauseOneWorkerIsToldOfHoldsTheOthersBack() throws {
        let ws = try Workspace()
        let root = ws.root + "/hub"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let hub = try FixtureHub(root: root, home: ws.home, scratch: ws.root)
        try hub.setModels([["id": "acme/one", "downloads": 1, "likes": 0]])
        let catalog = try Catalog(path: ws.root + "/catalog.sqlite")
        var configuration = HTTPClient.Configuration()
        configuration.retry.maxAttempts = 3
        // Two workers: two clients with nothing in common but the catalog.
        let first = HTTPClient(configuration: configuration).sharingPauses(through: CatalogHostPauses(catalog: catalog))
        let second = HTTPClient(configuration: configuration).sharingPauses(through: CatalogHostPauses(catalog: catalog))
        try hub.inject([["path_prefix": "/api/models", "status": 429, "times": 1, "retry_after": 3]])

        let firstDone = DispatchSemaphore(value: 0)
        let firstStatus = Mutex(0)
        let listing = hub.endpoint + "/api/models"
        Thread.detachNewThread {
            let response = try? first.send(HTTPRequest(url: listing))
            firstStatus.withLock { $0 = response?.status ?? -1 }
            firstDone.signal()
        }
        let host = "127.0.0.1:\(hub.port)"
        XCTAssertTrue(DaemonProcess.poll(timeout: 30) { (try? catalog.hostPausedUntil(host)) != nil }, "the pause never reached the catalog")
        let paused = try XCTUnwrap(try catalog.hostPausedUntil(host))
        let response = try second.send(HTTPRequest(url: hub.endpoint + "/api/models/acme/one"))
        XCTAssertEqual(response.status, 200)
        XCTAssertGreaterThan(response.waited, 0, "the second worker did not wait for the pause the first was asked for")
        XCTAssertGreaterThanOrEqual(Date(), paused, "the second worker asked before the pause ended")
        XCTAssertEqual(firstDone.wait(timeout: .now() + 60), .success)
        XCTAssertEqual(firstStatus.withLock { $0 }, 200, "the first worker's request succeeds after its pause")
    }
}
