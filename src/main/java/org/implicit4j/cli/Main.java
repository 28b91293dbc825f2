package org.implicit4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import org.implicit4j.Implicit4jException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * Entry point of target/implicit4j.jar; each subcommand is one class ({@link #COMMANDS}), added to
 * the command line only when it is the one run (or all of them, for help and errors).
 */
@Command(name = "implicit4j", mixinStandardHelpOptions = true, version = "implicit4j 0.1.0",
    description = "Implicit deep learning on the JVM: x = \u03c6(Ax + Bu + b), \u0177 = Cx + Du + c.")
public final class Main implements java.util.concurrent.Callable<Integer> {
  /**
   * The subcommands by name, in the order the usage lists them. picocli builds a command's model by
   * reflection over its annotations, which a fresh JVM runs interpreted: all ten took about 100 ms
   * of every run's start (0.3 s before the command itself began), so a run builds only its own.
   */
  static final java.util.Map<String, java.util.function.Supplier<Object>> COMMANDS = new java.util.LinkedHashMap<>();

  static {
    COMMANDS.put("import", ImportCommand::new);
    COMMANDS.put("verify", VerifyCommand::new);
    COMMANDS.put("info", InfoCommand::new);
    COMMANDS.put("predict", PredictCommand::new);
    COMMANDS.put("rescale", RescaleCommand::new);
    COMMANDS.put("export", ExportCommand::new);
    COMMANDS.put("robust", RobustCommand::new);
    COMMANDS.put("attack", AttackCommand::new);
    COMMANDS.put("train", TrainCommand::new);
    COMMANDS.put("run", RunCommand::new);
  }

  @Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT,
      description = "Print stack traces of errors (normally one line each).")
  boolean debug;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Run bare: the usage on stderr, exit 2 (a command is required). */
  @Override
  public Integer call() {
    spec.commandLine().getErr().println("error: no command given");
    spec.commandLine().usage(spec.commandLine().getErr());
    return ExitCodes.BAD_INPUT;
  }

  /** A JVM error (heap or stack exhausted) carried to the exception handler, which picocli gives only exceptions. */
  static final class ResourceExhausted extends RuntimeException {
    ResourceExhausted(Error cause) {
      super(cause);
    }
  }

  public static void main(String[] args) {
    System.exit(commandLine(args).execute(args));
  }

  /** The configured command line with every subcommand and help. */
  public static CommandLine commandLine() {
    return commandLine(COMMANDS.keySet());
  }

  /**
   * The command line for these arguments, shared by {@link #main} and tests: with only the
   * subcommand they name (the first argument not an option: the top level's options take no
   * values), or with all of them and help when they name none or an unknown one.
   */
  public static CommandLine commandLine(String... args) {
    String named = java.util.Arrays.stream(args).filter(a -> !a.startsWith("-")).findFirst().orElse("");
    return commandLine(COMMANDS.containsKey(named) ? java.util.Set.of(named) : COMMANDS.keySet());
  }

  private static CommandLine commandLine(java.util.Set<String> names) {
    CommandLine cl = new CommandLine(new Main());
    COMMANDS.forEach((name, command) -> {
      if (names.contains(name)) {
        cl.addSubcommand(name, command.get());
      }
    });
    if (names.size() > 1) {
      cl.addSubcommand(new CommandLine.HelpCommand());
    }
    cl.setExecutionExceptionHandler(Main::handle);
    cl.setExecutionStrategy(parse -> {
      try {
        return new CommandLine.RunLast().execute(parse);
      } catch (Error e) {
        CommandLine sub = parse.subcommand() != null ? parse.subcommand().commandSpec().commandLine() : cl;
        throw new CommandLine.ExecutionException(sub, e.toString(), new ResourceExhausted(e));
      }
    });
    cl.setParameterExceptionHandler((ex, args) -> {
      PrintWriter err = ex.getCommandLine().getErr();
      err.println("error: " + ex.getMessage());
      err.println("try: " + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help");
      return ExitCodes.BAD_INPUT;
    });
    return cl;
  }

  private static int handle(Exception ex, CommandLine cl, CommandLine.ParseResult parse) {
    PrintWriter err = cl.getErr();
    boolean debug = parse.hasMatchedOption("--debug")
        || (parse.subcommand() != null && parse.subcommand().hasMatchedOption("--debug"));
    Throwable t = ex instanceof UncheckedIOException u ? u.getCause() : ex;
    int code;
    if (t instanceof Implicit4jException e) {
      code = e.category() == Implicit4jException.Category.CHECK_FAILED ? ExitCodes.CHECK_FAILED : ExitCodes.BAD_INPUT;
      err.println("error: " + e.getMessage());
    } else if (t instanceof NoSuchFileException e) {
      code = ExitCodes.BAD_INPUT;
      err.println("error: " + e.getFile() + ": " + (e.getReason() == null ? "no such file" : e.getReason()));
    } else if (t instanceof IOException || t instanceof IllegalArgumentException) {
      code = ExitCodes.BAD_INPUT;
      err.println("error: " + t.getMessage());
    } else if (t instanceof ResourceExhausted r && r.getCause() instanceof OutOfMemoryError) {
      code = ExitCodes.BAD_INPUT;
      err.println("error: out of memory; the input is too large for this heap (raise it with java -Xmx, or use "
          + "smaller batches)");
    } else if (t instanceof ResourceExhausted r && r.getCause() instanceof StackOverflowError) {
      code = ExitCodes.BAD_INPUT;
      err.println("error: the input nests too deeply to process (stack exhausted)");
    } else if (t instanceof ResourceExhausted r) {
      code = ExitCodes.INTERNAL;
      err.println("internal error: " + r.getCause() + " (please report it; rerun with --debug for the stack trace)");
    } else {
      code = ExitCodes.INTERNAL;
      err.println("internal error: " + t + " (please report it; rerun with --debug for the stack trace)");
    }
    if (debug) {
      t.printStackTrace(err);
    }
    err.flush();
    return code;
  }
}
