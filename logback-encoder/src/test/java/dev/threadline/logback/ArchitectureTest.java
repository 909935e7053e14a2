package dev.threadline.logback;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The encoder depends inward only (core, Logback, SLF4J, the JDK), and each optional Jackson is touched by exactly
 * one class, which nothing loads unless that Jackson is present.
 */
class ArchitectureTest {

  private static final JavaClasses ENCODER = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("dev.threadline.logback");

  @Test
  void dependsOnCoreLogbackSlf4jAndTheJdkOnly() {
    classes().that().resideInAPackage("dev.threadline.logback..")
        .and().doNotHaveSimpleName("Jackson2Json").and().doNotHaveSimpleName("Jackson3Json")
        .should().onlyDependOnClassesThat().resideInAnyPackage(
            "java..", "org.slf4j..", "ch.qos.logback..", "dev.threadline.core..", "dev.threadline.logback..")
        .check(ENCODER);
  }

  /**
   * Working buffers come from the encoder's own pool, never from a thread-local: a thread-local buffer would pin
   * the web application's class loader on redeploy through pooled threads, and would be one buffer per virtual
   * thread, never reused.
   */
  @Test
  void noThreadLocals() {
    noClasses().should().dependOnClassesThat().areAssignableTo(ThreadLocal.class).check(ENCODER);
  }

  @Test
  void jackson3OnlyInJackson3Json_andJackson2OnlyInJackson2Json() {
    noClasses().that().doNotHaveSimpleName("Jackson3Json")
        .should().dependOnClassesThat().resideInAPackage("tools.jackson..").check(ENCODER);
    noClasses().that().doNotHaveSimpleName("Jackson2Json")
        .should().dependOnClassesThat().resideInAPackage("com.fasterxml.jackson..").check(ENCODER);
  }
}
