package dev.threadline.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadline.web.LogCapture;
import dev.threadline.web.grpc.ThreadlineClientInterceptor;
import dev.threadline.web.grpc.ThreadlineServerInterceptor;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.grpc.client.ClientInterceptorsConfigurer;
import org.springframework.grpc.client.GrpcChannelBuilderCustomizer;
import org.springframework.grpc.client.InProcessGrpcChannelFactory;
import org.springframework.grpc.server.GlobalServerInterceptor;
import org.springframework.grpc.server.service.DefaultGrpcServiceConfigurer;
import org.springframework.grpc.server.service.GrpcServiceInfo;
import org.springframework.grpc.server.service.GrpcServiceSpec;

/**
 * The gRPC auto-configuration in real contexts: the interceptor beans and, with Spring gRPC, a real in-process call
 * through Spring gRPC's own service configurer (global server interceptors) and channel factory (customizers).
 */
class ThreadlineGrpcAutoConfigurationTest {

  private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(
      AutoConfigurations.of(ThreadlineAutoConfiguration.class, ThreadlineGrpcAutoConfiguration.class));

  private static final MethodDescriptor.Marshaller<String> UTF8 = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(String value) {
      return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String parse(InputStream stream) {
      try {
        return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };

  private static final MethodDescriptor<String, String> SAY = MethodDescriptor.<String, String>newBuilder()
      .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName("boot.Echo/Say")
      .setRequestMarshaller(UTF8).setResponseMarshaller(UTF8).build();

  @Test
  @SuppressWarnings({"unchecked", "rawtypes"})
  void withSpringGrpc_itsOwnServiceConfigurerAndChannelFactoryApplyBothInterceptors() {
    runner.run(context -> {
      assertThat(context).hasSingleBean(ThreadlineServerInterceptor.class)
          .hasSingleBean(ThreadlineClientInterceptor.class).hasSingleBean(GrpcChannelBuilderCustomizer.class);
      assertThat(context.getBeanNamesForAnnotation(GlobalServerInterceptor.class))
          .containsExactlyInAnyOrder("threadlineGrpcServerInterceptor", "threadlineGrpcRemoteParentInterceptor");
      // Spring gRPC applies its global interceptors in this order, the first running first: the remote parent
      // goes ahead of any tracer's interceptor.
      assertThat(context.getBeanProvider(io.grpc.ServerInterceptor.class).orderedStream().findFirst())
          .containsInstanceOf(dev.threadline.web.internal.grpc.RemoteParentInterceptor.class);

      // Spring gRPC's own wiring: its service configurer applies the global server interceptors it finds in the
      // context, and its in-process channel factory applies the channel customizers.
      ServerServiceDefinition service = ServerServiceDefinition.builder("boot.Echo")
          .addMethod(SAY, ServerCalls.asyncUnaryCall((request, response) -> {
            LoggerFactory.getLogger("boot.grpc").info("handling {}", request);
            response.onNext("hi " + request);
            response.onCompleted();
          })).build();
      DefaultGrpcServiceConfigurer configurer = new DefaultGrpcServiceConfigurer(context);
      configurer.afterPropertiesSet();
      ServerServiceDefinition configured = configurer.configure(
          new GrpcServiceSpec(() -> service, GrpcServiceInfo.withInterceptors(List.of())), null);
      String name = InProcessServerBuilder.generateName();
      Server server = InProcessServerBuilder.forName(name).addService(configured).build().start();
      ClientInterceptorsConfigurer clientInterceptors = new ClientInterceptorsConfigurer(context);
      clientInterceptors.afterPropertiesSet();
      List<GrpcChannelBuilderCustomizer<InProcessChannelBuilder>> customizers =
          context.getBeanProvider(GrpcChannelBuilderCustomizer.class).orderedStream()
              .map(c -> (GrpcChannelBuilderCustomizer<InProcessChannelBuilder>) c).toList();
      InProcessGrpcChannelFactory channels = new InProcessGrpcChannelFactory(customizers, clientInterceptors);
      ManagedChannel channel = channels.createChannel("in-process:" + name);
      try (LogCapture capture = LogCapture.capture()) {
        assertThat(ClientCalls.blockingUnaryCall(channel, SAY, CallOptions.DEFAULT, "boot")).isEqualTo("hi boot");
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> capture.byLogger("dev.threadline.access").size()
            == 1 && capture.byLogger("dev.threadline.client").size() == 1);
        Map<String, Object> call = capture.byLogger("dev.threadline.client").get(0);
        Map<String, Object> access = capture.byLogger("dev.threadline.access").get(0);
        Map<String, Object> handler = capture.byLogger("boot.grpc").get(0);
        for (Map<String, Object> line : List.of(access, handler)) {
          assertThat(line).containsEntry("trace_id", call.get("trace_id"))
              .containsEntry("requestId", call.get("requestId"));
        }
        assertThat(access).containsEntry("parent_span_id", call.get("span_id"))
            .containsEntry("path", "/boot.Echo/Say").containsEntry("grpc_status", "OK");
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    });
  }

  @Test
  void withoutSpringGrpc_theInterceptorsAreBeansForTheApplicationsOwnBuilders() {
    runner.withClassLoader(new FilteredClassLoader("org.springframework.grpc.")).run(context -> {
      assertThat(context).hasNotFailed().hasSingleBean(ThreadlineServerInterceptor.class)
          .hasSingleBean(ThreadlineClientInterceptor.class).doesNotHaveBean("threadlineGrpcChannelCustomizer");
    });
  }

  @Test
  void withoutGrpcJava_orWhenTurnedOff_thereIsNothing() {
    runner.withClassLoader(new FilteredClassLoader("io.grpc.")).run(context -> {
      assertThat(context).hasNotFailed().doesNotHaveBean(ThreadlineServerInterceptor.class)
          .doesNotHaveBean(ThreadlineClientInterceptor.class);
    });
    runner.withPropertyValues("threadline.grpc.enabled=false").run(context -> {
      assertThat(context).hasNotFailed().doesNotHaveBean(ThreadlineServerInterceptor.class)
          .doesNotHaveBean(ThreadlineClientInterceptor.class).doesNotHaveBean("threadlineGrpcChannelCustomizer");
    });
  }

  @Test
  void anInterceptorOfTheApplications_replacesThreadlines() {
    ThreadlineServerInterceptor own = ThreadlineServerInterceptor.builder().accessLog(false).build();
    runner.withBean(ThreadlineServerInterceptor.class, () -> own).run(context -> {
      assertThat(context).hasSingleBean(ThreadlineServerInterceptor.class);
      assertThat(context.getBean(ThreadlineServerInterceptor.class)).isSameAs(own);
    });
  }
}
