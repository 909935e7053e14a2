package dev.threadline.web;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * Each optional library is touched only by the package made for it, so an application loads no class that needs a
 * library it does not have: the shared pieces ({@code internal}, {@code client}, {@code messaging}) and the JDK client
 * need nothing but core and SLF4J.
 */
class ArchitectureTest {

  private static final JavaClasses WEB = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("dev.threadline.web");

  private static void confined(String pkg, String... allowed) {
    String[] all = new String[allowed.length + 4];
    all[0] = "java..";
    all[1] = "org.slf4j..";
    all[2] = "dev.threadline.core..";
    all[3] = "dev.threadline.web.internal";
    System.arraycopy(allowed, 0, all, 4, allowed.length);
    classes().that().resideInAPackage(pkg).should().onlyDependOnClassesThat().resideInAnyPackage(all).check(WEB);
  }

  @Test
  void sharedPiecesAndTheJdkClientNeedNoOptionalLibrary() {
    confined("dev.threadline.web.internal");
    confined("dev.threadline.web.client", "dev.threadline.web.client");
    confined("dev.threadline.web.client.jdk", "dev.threadline.web.client", "javax.net.ssl..");
    confined("dev.threadline.web.messaging", "dev.threadline.web.messaging");
  }

  @Test
  void eachIntegrationTouchesOnlyItsOwnLibrary() {
    confined("dev.threadline.web.servlet", "dev.threadline.web.servlet..", "jakarta.servlet..");
    confined("dev.threadline.web.internal.servlet", "dev.threadline.web.internal.servlet",
        "dev.threadline.web.servlet", "jakarta.servlet..");
    confined("dev.threadline.web.client.apache", "dev.threadline.web.client", "dev.threadline.web.client.apache",
        "org.apache.hc..");
    confined("dev.threadline.web.client.okhttp", "dev.threadline.web.client", "dev.threadline.web.client.okhttp",
        "okhttp3..", "kotlin..");
    confined("dev.threadline.web.client.spring", "dev.threadline.web.client", "dev.threadline.web.client.spring",
        "org.springframework..", "reactor..");
    // Reactive Streams: the Subscriber and Subscription types Reactor's own operators are built on.
    confined("dev.threadline.web.reactive", "dev.threadline.web.reactive", "org.springframework..", "reactor..",
        "org.reactivestreams..");
    confined("dev.threadline.web.internal.reactive", "dev.threadline.web.internal.reactive", "org.springframework..",
        "reactor..");
    confined("dev.threadline.web.messaging.kafka", "dev.threadline.web.messaging..", "org.apache.kafka..");
    confined("dev.threadline.web.messaging.jms", "dev.threadline.web.messaging..", "jakarta.jms..");
    confined("dev.threadline.web.grpc", "dev.threadline.web.grpc", "dev.threadline.web.client", "io.grpc..");
    confined("dev.threadline.web.internal.grpc", "dev.threadline.web.internal.grpc", "dev.threadline.web.grpc",
        "io.grpc..");
    confined("dev.threadline.web.messaging.rabbit", "dev.threadline.web.messaging",
        "dev.threadline.web.messaging.rabbit", "com.rabbitmq.client..");
    confined("dev.threadline.web.messaging.rabbit.spring", "dev.threadline.web.messaging..", "com.rabbitmq.client..",
        "org.springframework.amqp..", "org.aopalliance..");
  }
}
