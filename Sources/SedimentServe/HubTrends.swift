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
            // Each package: its facts hold from their month until its next facts' month.
            var start = 0
            while start < rows.count {
                var end = start
                while end < rows.count && rows[end].packageRowID == rows[start].packageRowID { end += 1 }
                for i in start..<end {
                    guard let from = index[rows[i].month] else { continue }
                    let until = i + 1 < end ? (index[rows[i + 1].month] ?? all.count) : all.count
                    let formats = Set(formatNames(rows[i].weightFormats))
                    let license = rows[i].license ?? "none"
                    for m in from..<until {
                        series[m].packages += 1
                        if formats.contains("safetensors") { series[m].safetensors += 1 }
                        if !formats.isDisjoint(with: pickleFormats) { series[m].pickle += 1 }
                        series[m].licenses[license, default: 0] += 1
                    }
                }
                start = end
            }
            result.append(HubTrends(hub: hub, months: series))
        }
        return result
    }

    /// The format names of a `weight_formats` object.
    static func formatNames(_ json: String?) -> [String] {
        guard let json, let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return [] }
        return Array(object.keys)
    }

    /// Every `YYYY-MM` from `first` to `last`, both included.
    static func monthRange(from first: String, to last: String) -> [String] {
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
