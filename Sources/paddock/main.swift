import Foundation
import PaddockCLI
import PaddockServer

// `paddock serve …` runs the server; every other command is the CLI client.
let arguments = Array(CommandLine.arguments.dropFirst())
let code: Int32
if arguments.first == "serve" {
    code = await ServeCommand.main(Array(arguments.dropFirst()))
} else {
    code = await PaddockCLI.main(arguments)
}
exit(code)
