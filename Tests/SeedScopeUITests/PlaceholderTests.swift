import Testing
@testable import SeedScopeUI

@Suite struct UIModuleTests {
    @Test func moduleLoads() { #expect(SeedScopeUIInfo.name == "seedscope") }
}
