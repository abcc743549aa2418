import Foundation
import SedimentServe
import SedimentStore
import XCTest

/// Hub-wide series by month, as the trends page plots them.
final class HubTrendsTests: XCTestCase {
    func testFactsHoldFromTheirMonthUntilTheNextChange() {
        let facts = [
            // Package 1: pickle in January, both in March, safetensors only from May.
            MonthlyFacts(packageRowID: 1, hub: "hf", month: "2024-01", safetensors: false, pickle: true, license: "mit"),
            MonthlyFacts(packageRowID: 1, hub: "hf", month: "2024-03", safetensors: true, pickle: true, license: "mit"),
            MonthlyFacts(packageRowID: 1, hub: "hf", month: "2024-05", safetensors: true, pickle: false, license: "apache-2.0"),
            // Package 2: first seen in February, safetensors, no licence.
            MonthlyFacts(packageRowID: 2, hub: "hf", month: "2024-02", safetensors: true, pickle: false, license: nil),
            // Another hub is counted apart.
            MonthlyFacts(packageRowID: 3, hub: "ours", month: "2024-04", safetensors: false, pickle: false, license: "mit"),
        ]
        let trends = HubTrends.compute(facts, firstSeen: [(hub: "hf", month: "2024-01", count: 1), (hub: "hf", month: "2024-02", count: 1),
                                                          (hub: "ours", month: "2024-04", count: 1)])
        XCTAssertEqual(trends.map(\.hub), ["hf", "ours"])
        let hf = trends[0].months
        XCTAssertEqual(hf.map(\.month), ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05"])
        XCTAssertEqual(hf.map(\.packages), [1, 2, 2, 2, 2])
        XCTAssertEqual(hf.map(\.safetensors), [0, 1, 2, 2, 2])
        XCTAssertEqual(hf.map(\.pickle), [1, 1, 1, 1, 0])
        XCTAssertEqual(hf.map(\.new), [1, 1, 0, 0, 0])
        XCTAssertEqual(hf[0].licenses, ["mit": 1])
        XCTAssertEqual(hf[1].licenses, ["mit": 1, "none": 1])
        XCTAssertEqual(hf[4].licenses, ["apache-2.0": 1, "none": 1])
        XCTAssertEqual(trends[1].months.map(\.packages), [1])
    }

    func testMonthsRunAcrossYears() {
        XCTAssertEqual(HubTrends.monthRange(from: "2023-11", to: "2024-02"), ["2023-11", "2023-12", "2024-01", "2024-02"])
        XCTAssertEqual(HubTrends.monthRange(from: "2024-02", to: "2024-02"), ["2024-02"])
    }
}
