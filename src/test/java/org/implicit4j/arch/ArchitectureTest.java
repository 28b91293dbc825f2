package org.implicit4j.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import org.implicit4j.cli.OneDoorViolationFixture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package layering of README's ARCHITECTURE section, and the one-door rule: cli and dsl reach
 * the library only through api and the value types it returns (model, report, the root exception).
 */
class ArchitectureTest {
  private static JavaClasses main;

  @BeforeAll
  static void importMain() {
    main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("org.implicit4j");
  }

  /** Imports point one way: each layer is used only by the layers above it. */
  static ArchRule layering() {
    return layeredArchitecture().consideringOnlyDependenciesInLayers()
        .layer("linalg").definedBy("org.implicit4j.linalg..")
        .layer("model").definedBy("org.implicit4j.model..")
        .layer("report").definedBy("org.implicit4j.report..")
        .layer("solve").definedBy("org.implicit4j.solve..")
        .layer("analysis").definedBy("org.implicit4j.analysis..")
        .layer("io").definedBy("org.implicit4j.io..")
        .layer("compose").definedBy("org.implicit4j.compose..")
        .layer("onnx").definedBy("org.implicit4j.onnx..")
        .layer("verify").definedBy("org.implicit4j.verify..")
        .layer("export").definedBy("org.implicit4j.export..")
        .layer("plot").definedBy("org.implicit4j.plot..")
        .layer("train").definedBy("org.implicit4j.train..")
        .layer("api").definedBy("org.implicit4j.api..")
        .layer("dsl").definedBy("org.implicit4j.dsl..")
        .layer("cli").definedBy("org.implicit4j.cli..")
        .whereLayer("cli").mayNotBeAccessedByAnyLayer()
        .whereLayer("dsl").mayOnlyBeAccessedByLayers("cli")
        .whereLayer("api").mayOnlyBeAccessedByLayers("dsl", "cli")
        .whereLayer("export").mayOnlyBeAccessedByLayers("api")
        .whereLayer("plot").mayOnlyBeAccessedByLayers("api")
        .whereLayer("train").mayOnlyBeAccessedByLayers("api")
        .whereLayer("verify").mayOnlyBeAccessedByLayers("api")
        .whereLayer("onnx").mayOnlyBeAccessedByLayers("verify", "export", "api")
        .whereLayer("compose").mayOnlyBeAccessedByLayers("api")
        .whereLayer("io").mayOnlyBeAccessedByLayers("verify", "export", "plot", "api")
        .whereLayer("analysis").mayOnlyBeAccessedByLayers("export", "train", "api")
        .whereLayer("solve").mayOnlyBeAccessedByLayers("analysis", "verify", "train", "api")
        .whereLayer("report").mayOnlyBeAccessedByLayers("solve", "analysis", "verify", "export", "plot", "train", "api",
            "dsl", "cli")
        .whereLayer("model").mayOnlyBeAccessedByLayers("solve", "analysis", "io", "compose", "onnx", "verify", "export",
            "plot", "train", "api", "dsl", "cli")
        .whereLayer("linalg").mayOnlyBeAccessedByLayers("model", "solve", "analysis", "io", "compose", "onnx", "verify",
            "export", "plot", "train", "api");
  }

  /** cli and dsl depend on api, the value types it returns, and their own libraries — nothing else of ours. */
  static ArchRule oneDoor() {
    return classes().that().resideInAnyPackage("org.implicit4j.cli..", "org.implicit4j.dsl..")
        .should().onlyDependOnClassesThat().resideInAnyPackage("org.implicit4j", "org.implicit4j.api..",
            "org.implicit4j.model..", "org.implicit4j.report..", "org.implicit4j.cli..", "org.implicit4j.dsl..",
            "java..", "picocli..", "org.antlr..", "me.tongfei..")
        .because("cli and dsl are thin adapters over the one door, org.implicit4j.api");
  }

  @Test
  void packagesAreLayered() {
    layering().check(main);
  }

  @Test
  void cliAndDslGoThroughTheApiOnly() {
    oneDoor().check(main);
  }

  /** The rules are not vacuous: a cli class reaching into linalg and solve breaks both. */
  @Test
  void aCliClassReachingPastTheApiIsCaught() {
    JavaClasses withFixture = new ClassFileImporter().importClasses(OneDoorViolationFixture.class);
    EvaluationResult door = oneDoor().evaluate(withFixture);
    assertTrue(door.hasViolation(), "the one-door rule missed a cli class using linalg");
    assertTrue(door.getFailureReport().toString().contains("org.implicit4j.linalg.DenseMatrix"),
        door.getFailureReport().toString());
    EvaluationResult layers = layering().evaluate(new ClassFileImporter().importPackages("org.implicit4j"));
    assertTrue(layers.hasViolation() && layers.getFailureReport().toString().contains("OneDoorViolationFixture"),
        "the layering missed the fixture");
  }
}
