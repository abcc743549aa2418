import Foundation
import SedimentStore

/// A hub's series by month, as the trends page plots them and `sediment serve` computes them
/// from the catalog: each package counts in every month from its first observation on, with
/// the facts of its last observation up to that month.
public struct HubTrends: Sendable {
    public struct Month: Sendable, Equatable {
        /// `YYYY-MM`.
        public var month: String
        /// Packages observed by the end of the month.
        public var packages: Int
        /// Of them, packages whose files had safetensors weights.
        public var safetensors: Int
        /// Of them, packages whose files had pickle-based weights (`.bin`, `.pt`, `.pth`,
        /// `.ckpt`, `.pkl`, `.pickle`, `.joblib`).
        public var pickle: Int
        /// Packages first seen in the month.
        public var new: Int
        /// Packages per licence (`"none"` when the card names none).
        public var licenses: [String: Int]
    }

    public var hub: String
    public var months: [Month]

    /// The weight formats (as `weight_formats` names them) whose files are pickles.
    public static let pickleFormats: Set<String> = ["pytorch", "pickle", "joblib"]

    /// The trends of every hub, from `facts` (by package, then month) and the months packages
    /// were first seen in.
    public static func compute(_ facts: [MonthlyFacts], firstSeen: [(hub: String, month: String, count: Int)]) -> [HubTrends] {
        var hubs: [String: [MonthlyFacts]] = [:]
        for fact in facts { hubs[fact.hub, default: []].append(fact) }
        var newByHub: [String: [String: Int]] = [:]
        for row in firstSeen { newByHub[row.hub, default: [:]][row.month, default: 0] += row.count }
        var result: [HubTrends] = []
        for hub in Set(hubs.keys).union(newByHub.keys).sorted() {
            let rows = hubs[hub] ?? []
            let news = newByHub[hub] ?? [:]
            let months = Set(rows.map(\.month)).union(news.keys).sorted()
            guard let first = months.first, let last = months.last else { continue }
            let all = monthRange(from: first, to: last)
            var index: [String: Int] = [:]
            for (i, m) in all.enumerated() { index[m] = i }
            var series = all.map { Month(month: $0, packages: 0, safetensors: 0, pickle: 0, new: news[$0] ?? 0, licenses: [:]) }
            // Each package's facts hold from their month until its next facts' month: counted
            // as differences at those two months, summed up month by month below.
            var packages = [Int](repeating: 0, count: all.count + 1)
            var safetensors = packages, pickle = packages
            var licenses: [String: [Int]] = [:]
            var start = 0
            while start < rows.count {
                var end = start
                while end < rows.count && rows[end].packageRowID == rows[start].packageRowID { end += 1 }
                for i in start..<end {
                    guard let from = index[rows[i].month] else { continue }
                    let until = i + 1 < end ? (index[rows[i + 1].month] ?? all.count) : all.count
                    packages[from] += 1
                    packages[until] -= 1
                    if rows[i].safetensors { safetensors[from] += 1; safetensors[until] -= 1 }
                    if rows[i].pickle { pickle[from] += 1; pickle[until] -= 1 }
                    let license = rows[i].license ?? "none"
                    licenses[license, default: [Int](repeating: 0, count: all.count + 1)][from] += 1
                    licenses[license]![until] -= 1
                }
                start = end
            }
            var running = (packages: 0, safetensors: 0, pickle: 0)
            var runningLicenses: [String: Int] = [:]
            for m in all.indices {
                running.packages += packages[m]
                running.safetensors += safetensors[m]
                running.pickle += pickle[m]
                series[m].packages = running.packages
                series[m].safetensors = running.safetensors
                series[m].pickle = running.pickle
                for (license, deltas) in licenses {
                    runningLicenses[license, default: 0] += deltas[m]
                    if runningLicenses[license]! > 0 { series[m].licenses[license] = runningLicenses[license]! }
                }
            }
            result.append(HubTrends(hub: hub, months: series))
        }
        return result
    }

    /// Every `YYYY-MM` from `first` to `last`, both included.
    public static func monthRange(from first: String, to last: String) -> [String] {
        func parse(_ m: String) -> (Int, Int)? {
            let parts = m.split(separator: "-")
            guard parts.count == 2, let y = Int(parts[0]), let mo = Int(parts[1]), (1...12).contains(mo) else { return nil }
            return (y, mo)
        }
        guard var (y, m) = parse(first), let end = parse(last) else { return [first] }
        var out: [String] = []
        while (y, m) <= end && out.count < 1200 {
            out.append(String(format: "%04d-%02d", y, m))
            m += 1
            if m > 12 { m = 1; y += 1 }
        }
        return out
    }
}
