package dev.threadline.spring.autoconfigure;

import dev.threadline.core.CorrelationPropagator;
import dev.threadline.web.client.OutboundCalls;
import dev.threadline.web.grpc.ThreadlineClientInterceptor;
import dev.threadline.web.grpc.ThreadlineServerInterceptor;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * gRPC, when grpc-java and web-filters are on the class path: {@link ThreadlineServerInterceptor} and
 * {@link ThreadlineClientInterceptor} as beans, built from the one propagator and the same settings as the servlet
 * filter's access line ({@code threadline.filter.access-log}, {@code echo-request-id}, {@code client-error-level},
 * {@code server-error-level}) and the HTTP clients' call lines ({@code threadline.client.log-calls}).
 *
 * <p>With Spring gRPC ({@code spring-grpc-core}) the server interceptor is a {@code @GlobalServerInterceptor}, applied
 * to every service (after a tracer's observation interceptor, whose server span it then takes; ahead of all, a small
 * interceptor hands the caller's {@code traceparent} to the tracer, as the servlet side's RemoteParentFilter does), and a {@code GrpcChannelBuilderCustomizer} adds the client interceptor to every channel Spring
 * gRPC builds. Without it, add them yourself: {@code serverBuilder.intercept(serverInterceptor)},
 * {@code channelBuilder.intercept(clientInterceptor)}. {@code threadline.grpc.enabled=false} turns it all off.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = ThreadlineAutoConfiguration.class)
@ConditionalOnClass(name = {"io.grpc.ServerInterceptor", "dev.threadline.web.grpc.ThreadlineServerInterceptor"})
@ConditionalOnProperty(prefix = "threadline.grpc", name = "enabled", matchIfMissing = true)
public class ThreadlineGrpcAutoConfiguration {

  /** The server interceptor with the servlet filter's access-line settings. */
  static ThreadlineServerInterceptor serverInterceptor(ThreadlineProperties properties,
      CorrelationPropagator propagator) {
    ThreadlineProperties.Filter settings = properties.getFilter();
    return ThreadlineServerInterceptor.builder()
        .propagator(propagator)
        .accessLog(settings.isAccessLog())
        .echoRequestId(settings.isEchoRequestId())
        .clientErrorLevel(settings.getClientErrorLevel())
        .serverErrorLevel(settings.getServerErrorLevel())
        .build();
  }

  @Bean
  @ConditionalOnMissingBean
  ThreadlineClientInterceptor threadlineGrpcClientInterceptor(ObjectProvider<OutboundCalls> calls) {
    return new ThreadlineClientInterceptor(calls.getIfAvailable(OutboundCalls::defaults));
  }

  /** With Spring gRPC: the server interceptor applied to every service. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.grpc.server.GlobalServerInterceptor")
  static class SpringGrpcServerConfiguration {

    @Bean
    @ConditionalOnMissingBean
    @org.springframework.grpc.server.GlobalServerInterceptor
    ThreadlineServerInterceptor threadlineGrpcServerInterceptor(ThreadlineProperties properties,
        CorrelationPropagator propagator) {
      return serverInterceptor(properties, propagator);
    }

    /**
     * First of all global interceptors: the caller's span from {@code traceparent} as the tracer's remote context
     * while a tracer's gRPC observation interceptor starts its server span, so a tracer that reads no headers (Spring
     * Boot's no-op propagator when tracing export is disabled) continues the caller's trace. Without a tracer bridge,
     * and under the Java agent, it does nothing.
     */
    @Bean
    @ConditionalOnMissingBean(name = "threadlineGrpcRemoteParentInterceptor")
    @org.springframework.core.annotation.Order(org.springframework.core.Ordered.HIGHEST_PRECEDENCE)
    @org.springframework.grpc.server.GlobalServerInterceptor
    dev.threadline.web.internal.grpc.RemoteParentInterceptor threadlineGrpcRemoteParentInterceptor() {
      return new dev.threadline.web.internal.grpc.RemoteParentInterceptor();
    }
  }

  /** Without Spring gRPC: the server interceptor as a bean, for the application's own ServerBuilder. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnMissingClass("org.springframework.grpc.server.GlobalServerInterceptor")
  static class PlainServerConfiguration {

    @Bean
    @ConditionalOnMissingBean
    ThreadlineServerInterceptor threadlineGrpcServerInterceptor(ThreadlineProperties properties,
        CorrelationPropagator propagator) {
      return serverInterceptor(properties, propagator);
    }
  }

  /** With Spring gRPC: the client interceptor on every channel it builds. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.grpc.client.GrpcChannelBuilderCustomizer")
  static class SpringGrpcClientConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "threadlineGrpcChannelCustomizer")
    <T extends io.grpc.ManagedChannelBuilder<T>> org.springframework.grpc.client.GrpcChannelBuilderCustomizer<T>
        threadlineGrpcChannelCustomizer(ThreadlineClientInterceptor interceptor) {
      return (target, builder) -> builder.intercept(interceptor);
    }
  }
}
