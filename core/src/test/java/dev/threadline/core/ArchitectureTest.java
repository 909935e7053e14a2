package dev.threadline.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * core depends on the JDK and slf4j-api only; the optional Micrometer context-propagation integration is confined
 * to the one internal class that ServiceLoader loads and nothing else refers to, and the optional Kotlin coroutines
 * integration to its own package, which nothing else refers to, so nothing that always loads touches an optional
 * type.
 */
class ArchitectureTest {

  private static final String ACCESSOR = "dev.threadline.core.internal.CorrelationThreadLocalAccessor";
  private static final String KOTLIN = "dev.threadline.core.kotlin..";

  private static final JavaClasses CORE = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("dev.threadline.core");

  @Test
  void coreDependsOnTheJdkAndSlf4jOnly() {
    classes().that().resideInAPackage("dev.threadline.core..")
        .and().doNotHaveFullyQualifiedName(ACCESSOR)
        .and().resideOutsideOfPackage(KOTLIN)
        .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "org.slf4j..", "dev.threadline.core..")
        .check(CORE);
  }

  @Test
  void micrometerIsUsedOnlyByTheServiceLoadedAccessor() {
    classes().that().haveFullyQualifiedName(ACCESSOR)
        .should().onlyDependOnClassesThat()
        .resideInAnyPackage("java..", "io.micrometer.context..", "dev.threadline.core..")
        .check(CORE);
    noClasses().that().doNotHaveFullyQualifiedName(ACCESSOR)
        .should().dependOnClassesThat().haveFullyQualifiedName(ACCESSOR)
        .check(CORE);
  }

  @Test
  void kotlinIsUsedOnlyByItsOwnPackage() {
    classes().that().resideInAPackage(KOTLIN)
        .should().onlyDependOnClassesThat()
        .resideInAnyPackage("java..", "kotlin.coroutines..", "kotlinx.coroutines..", "dev.threadline.core",
            "dev.threadline.core.kotlin..")
        .check(CORE);
    noClasses().that().resideOutsideOfPackage(KOTLIN)
        .should().dependOnClassesThat().resideInAPackage(KOTLIN)
        .check(CORE);
  }
}
