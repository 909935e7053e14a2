package com.example;

import dev.threadline.core.Correlation;
import dev.threadline.core.CorrelationScope;
import java.io.File;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** Starts, logs one line inside a correlation and one outside, and prints where its Threadline jars came from. */
@SpringBootApplication
public class App {

  private static final Logger log = LoggerFactory.getLogger(App.class);

  public static void main(String[] args) {
    SpringApplication.run(App.class, args).close();
  }

  @org.springframework.context.annotation.Bean
  org.springframework.boot.CommandLineRunner run() {
    return args -> {
      try (CorrelationScope scope = Correlation.newTrace().open()) {
        log.info("consumer handled a request");
      }
      for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
        if (entry.contains("threadline")) {
          System.out.println("THREADLINE-JAR " + entry);
        }
      }
    };
  }
}
