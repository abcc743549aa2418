import XCTest
@testable import SedimentPostgres

final class PostgresSQLTextTests: XCTestCase {
    func testMarksAreNumberedInOrder() {
        let (sql, count) = PostgresSQLText.numberingPlaceholders("SELECT a FROM t WHERE x = ? AND y IN (?, ?)")
        XCTAssertEqual(sql, "SELECT a FROM t WHERE x = $1 AND y IN ($2, $3)")
        XCTAssertEqual(count, 3)
    }

    func testLiteralsIdentifiersAndCommentsAreLeftAlone() {
        let (sql, count) = PostgresSQLText.numberingPlaceholders("""
            SELECT '?', 'it''s ?', "a?b", "x""?", ? -- what?
            , ? /* a ? /* nested ? */ still ? */, $$ ? $$, $tag$ ?'" $tag$, E'\\' ?', ?
            """)
        XCTAssertEqual(sql, """
            SELECT '?', 'it''s ?', "a?b", "x""?", $1 -- what?
            , $2 /* a ? /* nested ? */ still ? */, $$ ? $$, $tag$ ?'" $tag$, E'\\' ?', $3
            """)
        XCTAssertEqual(count, 3)
    }

    func testParametersAndIdentifiersWithDollarsAreNotQuotes() {
        let (sql, count) = PostgresSQLText.numberingPlaceholders("SELECT a$b, ? FROM t WHERE c = ?")
        XCTAssertEqual(sql, "SELECT a$b, $1 FROM t WHERE c = $2")
        XCTAssertEqual(count, 2)
    }

    func testScriptsAreCutAtTheirSemicolons() {
        let statements = PostgresSQLText.statements("""
            CREATE TABLE a (x TEXT DEFAULT ';', "b;c" TEXT); -- a comment; with a semicolon
            CREATE INDEX i ON a(x);
            DO $$ BEGIN PERFORM 1; END $$;
            ;
              -- only a comment
            """)
        XCTAssertEqual(statements.count, 3, "\(statements)")
        XCTAssertEqual(statements[0], "CREATE TABLE a (x TEXT DEFAULT ';', \"b;c\" TEXT)")
        XCTAssertTrue(statements[1].hasSuffix("CREATE INDEX i ON a(x)"), statements[1])
        XCTAssertTrue(statements[2].hasSuffix("DO $$ BEGIN PERFORM 1; END $$"), statements[2])
        XCTAssertEqual(PostgresSQLText.statements("SELECT 1"), ["SELECT 1"])
    }
}
