package dev.nnc.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code nnc} command: subcommands for checking, compiling and inspecting {@code .nn} files. */
@Command(name = "nnc", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = "A symbolic differentiation compiler: .nn source to straight-line Java.",
    subcommands = {CheckCommand.class, CompileCommand.class, GradCommand.class, EvalCommand.class,
        TraceCommand.class, GraphCommand.class, TrainCommand.class, PredictCommand.class,
        CommandLine.HelpCommand.class})
public final class Main {
  /** Exit code for a usage error (bad flag, missing argument). */
  static final int USAGE = 2;

  public static void main(String[] args) {
    System.exit(run(args, new java.io.PrintWriter(System.out, true),
        new java.io.PrintWriter(System.err, true)));
  }

  /** Runs the command line with the given streams; returns the exit code. */
  public static int run(String[] args, java.io.PrintWriter out, java.io.PrintWriter err) {
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(out);
    cli.setErr(err);
    cli.setParameterExceptionHandler((ex, arguments) -> {
      CommandLine cmd = ex.getCommandLine();
      cmd.getErr().println("nnc: " + ex.getMessage());
      cmd.getErr().println("Run '" + cmd.getCommandSpec().qualifiedName() + " --help' for usage.");
      return USAGE;
    });
    cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
      if (ex instanceof UserError user) {
        if (user.getMessage() != null) {
          cmd.getErr().println("nnc: " + user.getMessage());
        }
        return user.exitCode();
      }
      if (ex instanceof dev.nnc.runtime.NncException nnc) {
        cmd.getErr().println("nnc: " + nnc.getMessage());
        return 1;
      }
      throw ex;
    });
    int code = cli.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  /** Reads the version from the jar manifest, falling back to the build's version. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"nnc " + (v == null ? "0.1.0-SNAPSHOT" : v)};
    }
  }
}
