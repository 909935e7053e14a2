package dev.threadline.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadline.spring.autoconfigure.internal.CoroutineCorrelationWebFilter;
import dev.threadline.web.reactive.ThreadlineWebFilter;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import reactor.core.publisher.Hooks;

/** The reactive auto-configuration's conditions, in real application contexts. */
class ThreadlineReactiveAutoConfigurationTest {

  private final ReactiveWebApplicationContextRunner reactive = new ReactiveWebApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(ThreadlineAutoConfiguration.class,
          ThreadlineReactiveAutoConfiguration.class));

  @Test
  void aReactiveApplicationGetsTheWebFilter_configuredByThreadlineFilterProperties_andContextPropagation() {
    Hooks.disableAutomaticContextPropagation();
    reactive.withPropertyValues("threadline.filter.request-id-header=X-Trace-Ref").run(context -> {
      assertThat(context).hasSingleBean(ThreadlineWebFilter.class).doesNotHaveBean("threadlineFilter");
      assertThat(context.getBean(ThreadlineWebFilter.class).getOrder())
          .isEqualTo(ThreadlineAutoConfiguration.FILTER_ORDER);
      assertThat(Hooks.isAutomaticContextPropagationEnabled()).isTrue();
      // Ahead of a tracer's server observation, which Spring starts before every WebFilter: the remote parent.
      assertThat(context.getBean("threadlineRemoteParentDecorator",
          org.springframework.http.server.reactive.HttpHandlerDecoratorFactory.class)
          .apply((request, response) -> reactor.core.publisher.Mono.empty()))
          .isInstanceOf(dev.threadline.web.internal.reactive.RemoteParentHandler.class);
    });
  }

  @Test
  void switchedOff_orWithoutWebFilters_orInAServletApplication_noWebFilter() {
    reactive.withPropertyValues("threadline.filter.enabled=false")
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(ThreadlineWebFilter.class)
            .doesNotHaveBean("threadlineRemoteParentDecorator"));
    reactive.withClassLoader(new FilteredClassLoader("dev.threadline.web.reactive."))
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("threadlineWebFilter"));
    new WebApplicationContextRunner().withConfiguration(AutoConfigurations.of(ThreadlineAutoConfiguration.class,
        ThreadlineReactiveAutoConfiguration.class))
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(ThreadlineWebFilter.class)
            .hasBean("threadlineFilter"));
  }

  @Test
  void aBadFilterSettingFailsAtStartUp_namingIt() {
    reactive.withPropertyValues("threadline.filter.client-error-level=LOUD")
        .run(context -> assertThat(context).hasFailed().getFailure().hasStackTraceContaining("clientErrorLevel"));
  }

  @Test
  void theApplicationsOwnWebFilterWins() {
    reactive.withBean("threadlineWebFilter", ThreadlineWebFilter.class, ThreadlineWebFilter::new)
        .run(context -> assertThat(context).hasSingleBean(ThreadlineWebFilter.class));
  }

  @Test
  void withKotlinCoroutines_theCoroutineFilterRunsJustAfterTheWebFilter_andWithoutThemThereIsNone() {
    reactive.run(context -> assertThat(context.getBean(CoroutineCorrelationWebFilter.class).getOrder())
        .isEqualTo(ThreadlineAutoConfiguration.FILTER_ORDER + 1));
    reactive.withClassLoader(new FilteredClassLoader("kotlinx.coroutines.reactor."))
        .run(context -> assertThat(context).hasNotFailed().hasSingleBean(ThreadlineWebFilter.class)
            .doesNotHaveBean(CoroutineCorrelationWebFilter.class));
    reactive.withPropertyValues("threadline.filter.enabled=false")
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(CoroutineCorrelationWebFilter.class));
  }
}
