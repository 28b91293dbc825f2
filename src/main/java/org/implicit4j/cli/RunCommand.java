package org.implicit4j.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.implicit4j.dsl.ScriptRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** `run SCRIPT`: executes an implicit4j script (grammar/Implicit.g4). */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Run a script that loads, composes, rescales, checks, verifies and saves models; each action prints "
        + "its result. Exit 0 when every check passed, 1 when a check or verification failed, 2 on a script error "
        + "(reported as FILE:LINE:COL with a caret).")
final class RunCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "SCRIPT", description = "The script; paths in it are relative to its folder.")
  Path script;

  @picocli.CommandLine.Option(names = {"-q", "--quiet"}, description = "No progress bars.")
  boolean quiet;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    int failed;
    try (Progress bar = new Progress("run", 0, quiet)) {
      failed = ScriptRunner.run(script, spec.commandLine().getOut(), bar);
    }
    return failed == 0 ? ExitCodes.OK : ExitCodes.CHECK_FAILED;
  }
}
