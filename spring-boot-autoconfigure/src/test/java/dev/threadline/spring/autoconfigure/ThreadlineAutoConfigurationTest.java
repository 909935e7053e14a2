package dev.threadline.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import dev.threadline.spring.autoconfigure.internal.BraveScopeDecorator;
import dev.threadline.spring.autoconfigure.internal.LokiShipping;
import dev.threadline.spring.autoconfigure.internal.ThreadlineRecordInterceptor;
import dev.threadline.spring.autoconfigure.internal.ThreadlineTaskDecorator;
import dev.threadline.web.servlet.ThreadlineFilter;
import jakarta.servlet.DispatcherType;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.restclient.RestClientCustomizer;
import org.springframework.boot.restclient.RestTemplateCustomizer;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.core.task.TaskDecorator;

/** Every condition of the auto-configuration, with the context runner. */
class ThreadlineAutoConfigurationTest {

  private final WebApplicationContextRunner web = new WebApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(ThreadlineAutoConfiguration.class));

  @Test
  void aServletApplicationGetsTheFilterFirstForEveryDispatch_theDecorator_andClientPropagation() {
    web.run(context -> {
      FilterRegistrationBean<?> registration = context.getBean("threadlineFilter", FilterRegistrationBean.class);
      assertThat(registration.getFilter()).isInstanceOf(ThreadlineFilter.class);
      assertThat(registration.getOrder()).isEqualTo(ThreadlineAutoConfiguration.FILTER_ORDER).isLessThan(-100);
      assertThat(registration.determineDispatcherTypes())
          .containsExactlyInAnyOrder(DispatcherType.REQUEST, DispatcherType.ASYNC, DispatcherType.ERROR);
      assertThat(context).hasSingleBean(TaskDecorator.class).hasSingleBean(RestClientCustomizer.class)
          .hasSingleBean(RestTemplateCustomizer.class).doesNotHaveBean(LokiShipping.class);
    });
  }

  @Test
  void withBraveTheScopeDecoratorIsABean_unlessBraveIsMissingOrItIsSwitchedOff() {
    ApplicationContextRunner brave = new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(
        ThreadlineAutoConfiguration.class, dev.threadline.spring.autoconfigure.brave.ThreadlineBraveAutoConfiguration.class));
    brave.run(context -> assertThat(context)
        .hasSingleBean(BraveScopeDecorator.class));
    brave.withPropertyValues("threadline.brave.enabled=false").run(context -> assertThat(context).hasNotFailed()
        .doesNotHaveBean(BraveScopeDecorator.class));
    brave.withClassLoader(new FilteredClassLoader("brave.")).run(context -> assertThat(context).hasNotFailed()
        .doesNotHaveBean(BraveScopeDecorator.class));
    brave.withBean("mine", BraveScopeDecorator.class)
        .run(context -> assertThat(context)
            .hasSingleBean(BraveScopeDecorator.class)
            .hasBean("mine"));
  }

  @Test
  void theTaskDecoratorCarriesACorrelation_orGivesEachRunItsOwn() {
    TaskDecorator decorator = new ThreadlineTaskDecorator();
    java.util.List<dev.threadline.core.Correlation> seen = new java.util.ArrayList<>();
    Runnable record = () -> seen.add(dev.threadline.core.Correlation.current().orElse(null));
    Runnable periodic = decorator.decorate(record);
    periodic.run();
    periodic.run();
    assertThat(seen).doesNotContainNull();
    assertThat(seen.get(0).requestId()).isNotEqualTo(seen.get(1).requestId());
    assertThat(seen.get(0).traceId()).isNotEqualTo(seen.get(1).traceId());
    assertThat(dev.threadline.core.Correlation.current()).isEmpty();
    dev.threadline.core.Correlation request = dev.threadline.core.Correlation.newTrace("req-async");
    Runnable carried;
    try (dev.threadline.core.CorrelationScope ignored = request.open()) {
      carried = decorator.decorate(record);
    }
    carried.run();
    assertThat(seen.get(2)).isEqualTo(request);
  }

  @Test
  void thePropertiesDefaultsAreTheFiltersOwn() {
    // The properties keep a literal copy (for IDE metadata, and so they load without web-filters): it must agree.
    assertThat(String.join(",", new ThreadlineProperties().getFilter().getSkip()))
        .isEqualTo(ThreadlineFilter.DEFAULT_SKIP);
    dev.threadline.core.CorrelationPropagator defaults = dev.threadline.core.CorrelationPropagator.defaults();
    ThreadlineProperties.Propagation propagation = new ThreadlineProperties().getPropagation();
    assertThat(propagation.getRequestIdHeader()).isEqualTo(defaults.requestIdHeader());
    assertThat(propagation.getRequestIdAliases())
        .containsExactly(dev.threadline.core.CorrelationPropagator.CORRELATION_ID_HEADER);
    // The filter's own header is unset by default: the shared propagation's applies.
    assertThat(new ThreadlineProperties().getFilter().getRequestIdHeader()).isNull();
  }

  @Test
  void theTrustBoundaryIsSetByProperties() {
    web.withPropertyValues("threadline.propagation.trust-incoming=false",
        "threadline.propagation.propagate-to=*.internal,api.example.com",
        "threadline.filter.trusted-callers=10.0.0.0/8").run(context -> {
          dev.threadline.core.CorrelationPropagator propagator =
              context.getBean(dev.threadline.core.CorrelationPropagator.class);
          assertThat(propagator.trustsIncoming()).isFalse();
          assertThat(propagator.propagatesTo("orders.internal")).isTrue();
          assertThat(propagator.propagatesTo("api.example.com")).isTrue();
          assertThat(propagator.propagatesTo("api.stripe.com")).isFalse();
          assertThat(dev.threadline.core.CorrelationPropagator.shared()).isSameAs(propagator);
        });
    assertThat(dev.threadline.core.CorrelationPropagator.shared())
        .as("the defaults again once the context has closed")
        .isSameAs(dev.threadline.core.CorrelationPropagator.defaults());
    web.withPropertyValues("threadline.filter.trusted-callers=proxy.internal")
        .run(context -> assertThat(context).hasFailed());
  }

  @Test
  void eachPieceCanBeSwitchedOff() {
    web.withPropertyValues("threadline.filter.enabled=false", "threadline.client.enabled=false",
        "threadline.async.enabled=false").run(context -> assertThat(context)
        .doesNotHaveBean("threadlineFilter").doesNotHaveBean(RestClientCustomizer.class)
        .doesNotHaveBean(TaskDecorator.class));
  }

  @Test
  void withoutTheirLibrariesTheIntegrationsStepAside() {
    web.withClassLoader(new FilteredClassLoader(ThreadlineFilter.class, RestClientCustomizer.class))
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("threadlineFilter")
            .doesNotHaveBean(RestClientCustomizer.class).hasSingleBean(TaskDecorator.class));
    web.withClassLoader(new FilteredClassLoader("dev.threadline.loki"))
        .withPropertyValues("threadline.loki.url=http://127.0.0.1:9")
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(LokiShipping.class));
    web.withClassLoader(new FilteredClassLoader("org.springframework.kafka"))
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(ThreadlineRecordInterceptor.class));
    web.withPropertyValues("threadline.kafka.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(ThreadlineRecordInterceptor.class));
    new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(ThreadlineAutoConfiguration.class))
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("threadlineFilter")
            .hasSingleBean(TaskDecorator.class));
  }

  @Test
  void everyWebClientBuilderBeanGetsTheExchangeFilter() {
    web.withBean(org.springframework.web.reactive.function.client.WebClient.Builder.class,
        org.springframework.web.reactive.function.client.WebClient::builder).run(context -> {
          java.util.List<Object> filters = new java.util.ArrayList<>();
          context.getBean(org.springframework.web.reactive.function.client.WebClient.Builder.class)
              .filters(filters::addAll);
          assertThat(filters).hasOnlyElementsOfType(
              dev.threadline.web.client.spring.ThreadlineExchangeFilterFunction.class).hasSize(1);
        });
    web.withPropertyValues("threadline.client.enabled=false")
        .withBean(org.springframework.web.reactive.function.client.WebClient.Builder.class,
            org.springframework.web.reactive.function.client.WebClient::builder).run(context -> {
          java.util.List<Object> filters = new java.util.ArrayList<>();
          context.getBean(org.springframework.web.reactive.function.client.WebClient.Builder.class)
              .filters(filters::addAll);
          assertThat(filters).isEmpty();
        });
  }

  @Test
  void theApplicationsOwnBeansWin() {
    TaskDecorator own = runnable -> runnable;
    web.withBean("myDecorator", TaskDecorator.class, () -> own)
        .run(context -> assertThat(context.getBean(TaskDecorator.class)).isSameAs(own));
  }

  @Test
  void lokiShipsOnceAUrlIsSet_evenWhenLokiIsDown_andLeavesCleanly() {
    LoggerContext logback = (LoggerContext) LoggerFactory.getILoggerFactory();
    ch.qos.logback.classic.Logger root = logback.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    web.withPropertyValues("threadline.loki.url=http://127.0.0.1:1", "spring.application.name=orders",
        "threadline.loki.shutdown-timeout=500ms", "threadline.loki.password=hunter2")
        .run(context -> {
          assertThat(context).hasNotFailed().hasSingleBean(LokiShipping.class);
          assertThat(context.getBean(LokiShipping.class).isRunning()).isTrue();
          assertThat(root.getAppender(LokiShipping.APPENDER_NAME)).isNotNull();
          LoggerFactory.getLogger("app").info("shipped to a Loki that is down");
          assertThat(context.getBean(ThreadlineProperties.class).getLoki().toString()).doesNotContain("hunter2");
        });
    assertThat(root.getAppender(LokiShipping.APPENDER_NAME)).isNull();
  }
}
