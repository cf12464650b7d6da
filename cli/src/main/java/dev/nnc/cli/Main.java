package dev.nnc.cli;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.OptionSpec;

/** The {@code nnc} command: subcommands for checking, compiling and inspecting {@code .nn} files. */
@Command(name = "nnc", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = "A symbolic differentiation compiler: .nn source to straight-line Java.",
    subcommands = {CheckCommand.class, CompileCommand.class, GradCommand.class, EvalCommand.class,
        TraceCommand.class, GraphCommand.class, TrainCommand.class, PredictCommand.class,
        CommandLine.HelpCommand.class})
public final class Main {
  /** Exit code for a usage error (bad flag, missing argument). */
  static final int USAGE = 2;

  /** Quoted input longer than this is shortened in messages (a huge --at value is not echoed). */
  private static final int MAX_QUOTED = 60;
  private static final Pattern QUOTED = Pattern.compile("'([^']{" + (MAX_QUOTED + 1) + ",})'");

  public static void main(String[] args) {
    System.exit(run(args, new java.io.PrintWriter(System.out, true),
        new java.io.PrintWriter(System.err, true)));
  }

  /** Runs the command line with the given streams; returns the exit code. */
  public static int run(String[] args, java.io.PrintWriter out, java.io.PrintWriter err) {
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(out);
    cli.setErr(err);
    // `nnc train --version` prints the version too, not an empty line
    Version version = new Version();
    for (CommandLine sub : cli.getSubcommands().values()) {
      sub.getCommandSpec().versionProvider(version);
    }
    cli.setParameterExceptionHandler((ex, arguments) -> {
      CommandLine cmd = ex.getCommandLine();
      cmd.getErr().println(oneLine("nnc: " + usageMessage(ex) + " (see '"
          + cmd.getCommandSpec().qualifiedName() + " --help')"));
      return USAGE;
    });
    cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
      if (ex instanceof UserError user) {
        if (user.getMessage() != null) {
          cmd.getErr().println(oneLine("nnc: " + user.getMessage()));
        }
        return user.exitCode();
      }
      if (ex instanceof dev.nnc.runtime.NncException nnc) {
        cmd.getErr().println(oneLine("nnc: " + nnc.getMessage()));
        return 1;
      }
      throw ex;
    });
    int code = cli.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  /**
   * Picocli's message for a usage error, with the first unknown option named alone and the
   * closest known one suggested ({@code --epoch 3}: did you mean --epochs?).
   */
  static String usageMessage(CommandLine.ParameterException ex) {
    if (ex instanceof CommandLine.UnmatchedArgumentException unmatched) {
      for (String arg : unmatched.getUnmatched()) {
        if (arg.startsWith("-")) {
          String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
          String closest = closestOption(ex.getCommandLine(), name);
          return "unknown option '" + name + "'"
              + (closest == null ? "" : "; did you mean " + closest + "?");
        }
      }
    }
    return ex.getMessage();
  }

  /** The known option nearest to {@code name}: a prefix of it, or within two edits. */
  private static String closestOption(CommandLine cmd, String name) {
    String best = null;
    int bestDistance = 3;
    for (OptionSpec option : cmd.getCommandSpec().options()) {
      for (String candidate : option.names()) {
        int d = candidate.startsWith(name) || name.startsWith(candidate) ? 1
            : distance(name, candidate);
        if (d < bestDistance) {
          best = candidate;
          bestDistance = d;
        }
      }
    }
    return best;
  }

  /** Levenshtein distance. */
  private static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }

  /**
   * A message as one line: line breaks become spaces and quoted input longer than
   * {@value #MAX_QUOTED} characters is cut, saying how long it was.
   */
  static String oneLine(String message) {
    String flat = message.strip().replaceAll("\\s*\\R\\s*", " ");
    Matcher m = QUOTED.matcher(flat);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String quoted = m.group(1);
      m.appendReplacement(out, Matcher.quoteReplacement("'" + quoted.substring(0, 40) + "...' ("
          + quoted.length() + " characters)"));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** Reads the version from the jar manifest, falling back to the build's version. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"nnc " + number()};
    }

    /** The version number alone, e.g. {@code 0.1.0-SNAPSHOT}. */
    static String number() {
      String v = Main.class.getPackage().getImplementationVersion();
      return v == null ? "0.1.0-SNAPSHOT" : v;
    }
  }
}
