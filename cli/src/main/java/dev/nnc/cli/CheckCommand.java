package dev.nnc.cli;

import dev.nnc.compiler.Compiler;
import dev.nnc.compiler.diag.Diagnostic;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code nnc check FILE...}: parse and check, print diagnostics; exit 0 clean, 1 on errors. */
@Command(name = "check", mixinStandardHelpOptions = true,
    description = "Parse and check .nn files and print their diagnostics.")
final class CheckCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "FILE", description = ".nn files to check")
  List<Path> files;

  @Override
  public Integer call() {
    boolean failed = false;
    // An error in a file that several of the files import is printed once.
    Set<Diagnostic> printed = new HashSet<>();
    for (Path file : files) {
      Compiler.CheckResult result;
      try {
        result = SourceLoader.check(file);
      } catch (UserError e) {
        spec.commandLine().getErr().println(Main.oneLine("nnc: " + e.getMessage()));
        failed = true;
        continue;
      }
      spec.commandLine().getErr().print(SourceLoader.render(result, printed));
      failed |= !result.ok();
    }
    spec.commandLine().getErr().flush();
    return failed ? 1 : 0;
  }
}
