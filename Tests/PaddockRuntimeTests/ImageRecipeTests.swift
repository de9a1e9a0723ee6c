import Foundation
import Testing
import PaddockCore
@testable import PaddockRuntime

@Suite("Base image recipe and key")
struct ImageRecipeTests {
    /// The recipe file in the source tree.
    static let sourceRecipe = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Sources/PaddockRuntime/Recipes/base.json").standardizedFileURL.path

    @Test("the bundled recipe is found and is the file in the repository")
    func bundledRecipe() throws {
        let recipe = try BaseRecipe.load()
        #expect(recipe.source.contains("Recipes/base.json"))
        #expect(recipe.bytes == Array(try #require(FileManager.default.contents(atPath: Self.sourceRecipe))))
        #expect(recipe.suite == "bookworm")
        #expect(recipe.variant == "minbase")
        #expect(recipe.mirrors == ["{mirror}"])
        for package in ["bash", "ca-certificates", "curl", "git", "python3", "python3-pip", "python3-venv",
                        "nodejs", "npm", "procps", "less"] {
            #expect(recipe.packages.contains(package), "\(package) is missing from the recipe")
        }
        #expect(recipe.aptOptions.contains("APT::Install-Recommends \"false\""))
    }

    @Test("the resource bundle next to the executable is the first place looked at")
    func locations() {
        let locations = BaseRecipe.defaultLocations()
        #expect(locations.first?.hasSuffix("/Paddock_PaddockRuntime.resources/Recipes/base.json") == true)
        #expect(locations.last == Self.sourceRecipe)
    }

    @Test("an explicit recipe path wins, and a missing one is an error naming it")
    func explicitPath() throws {
        #expect(try BaseRecipe.load(explicitPath: Self.sourceRecipe).source == Self.sourceRecipe)
        #expect(throws: PaddockError.self) { try BaseRecipe.load(explicitPath: "/nonexistent/base.json") }
    }

    static let minimal = #"{"suite": "bookworm", "variant": "minbase", "components": ["main"], "mirrors": ["{mirror}"], "packages": ["bash"]}"#

    @Test("invalid recipes are refused", arguments: [
        "[]", "{", #"{"suite": "bookworm"}"#,
        minimal.replacingOccurrences(of: "\"bash\"", with: "\"Bash\""),
        minimal.replacingOccurrences(of: "\"bash\"", with: "\"bash\", \"bash\""),
        minimal.replacingOccurrences(of: "minbase", with: "tiny"),
        minimal.replacingOccurrences(of: "\"suite\"", with: "\"suit\""),
        minimal.replacingOccurrences(of: "[\"bash\"]", with: "[]"),
        minimal.replacingOccurrences(of: "bookworm", with: "bookworm; rm"),
        minimal.replacingOccurrences(of: "\"{mirror}\"", with: "\"{mirror}\\n\""),
    ])
    func invalidRecipes(text: String) {
        #expect(throws: PaddockError.self) { try BaseRecipe.parse(Array(text.utf8), source: "test") }
    }

    func builder(recipe: String = minimal, mirror: String = MirrorSettings.defaultDebian, ca: String?) throws -> BaseImageBuilder {
        try BaseImageBuilder(imagesDirectory: URL(fileURLWithPath: "/nonexistent/images"),
                             recipe: BaseRecipe.parse(Array(recipe.utf8), source: "test"),
                             mirrors: MirrorSettings(debian: mirror), caBundle: ca)
    }

    @Test("the image key changes with the recipe bytes, the mirror and the CA bundle, and only with them")
    func keyInputs() throws {
        let dir = try ImageTestDirectory("ca")
        defer { dir.remove() }
        let hostBundle = try String(contentsOfFile: BaseImageBuilder.defaultCABundle, encoding: .utf8)
        try hostBundle.write(toFile: "\(dir.path)/a.crt", atomically: true, encoding: .utf8)
        try (hostBundle + "\n").write(toFile: "\(dir.path)/b.crt", atomically: true, encoding: .utf8)
        let reference = try builder(ca: "\(dir.path)/a.crt").key
        #expect(try builder(ca: "\(dir.path)/a.crt").key == reference)
        #expect(try builder(ca: BaseImageBuilder.defaultCABundle).key == reference)
        #expect(try builder(ca: "\(dir.path)/b.crt").key != reference)
        #expect(try builder(ca: nil).key != reference)
        #expect(try builder(mirror: "http://mirror.example/debian", ca: "\(dir.path)/a.crt").key != reference)
        #expect(try builder(recipe: Self.minimal + "\n", ca: "\(dir.path)/a.crt").key != reference)
    }

    @Test("a CA bundle that is missing or holds no certificate is refused")
    func badBundle() throws {
        let dir = try ImageTestDirectory("ca")
        defer { dir.remove() }
        try dir.write("empty.crt", size: 10)
        #expect(throws: PaddockError.self) { try builder(ca: "\(dir.path)/missing.crt") }
        #expect(throws: PaddockError.self) { try builder(ca: "\(dir.path)/empty.crt") }
    }

    @Test("mmdebstrap gets an argv array built from the recipe, the mirror and the CA hook")
    func mmdebstrapArguments() throws {
        let recipe = try BaseRecipe.load(explicitPath: Self.sourceRecipe)
        let builder = try BaseImageBuilder(imagesDirectory: URL(fileURLWithPath: "/images"), recipe: recipe,
                                           mirrors: MirrorSettings(debian: "http://mirror.example/debian"))
        let argv = builder.mmdebstrapArguments(target: "/images/.tmp-x")
        #expect(argv.first == "mmdebstrap")
        #expect(argv.contains("--variant=minbase"))
        #expect(argv.contains("--mode=unshare"))
        #expect(argv.contains("--include=" + recipe.packages.joined(separator: ",")))
        #expect(argv.contains("--aptopt=APT::Install-Recommends \"false\""))
        #expect(argv.contains("--customize-hook=\(BaseImageBuilder.caHook)"))
        #expect(Array(argv.suffix(3)) == ["bookworm", "/images/.tmp-x", "http://mirror.example/debian"])
        #expect(!BaseImageBuilder.caHook.contains("/images"), "paths travel through the environment, not the hook")
        let withoutCA = try BaseImageBuilder(imagesDirectory: URL(fileURLWithPath: "/images"), recipe: recipe, caBundle: nil)
        #expect(!withoutCA.mmdebstrapArguments(target: "/t").contains("--customize-hook=\(BaseImageBuilder.caHook)"))
    }
}
