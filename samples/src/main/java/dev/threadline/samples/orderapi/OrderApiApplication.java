package dev.threadline.samples.orderapi;

import jakarta.jms.ConnectionFactory;
import java.time.Duration;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.jms.connection.CachingConnectionFactory;
import org.springframework.web.client.RestClient;

/**
 * The order API: {@code POST /orders} publishes an order event over JMS and asks fulfillment-worker over HTTP to
 * reserve the stock, retrying once when the worker fails. Configured by {@code application.properties}; the demo
 * driver passes the ports as system properties.
 */
@SpringBootApplication
public class OrderApiApplication {

  /** Starts order-api. */
  public static void main(String[] args) {
    SpringApplication.run(OrderApiApplication.class, args);
  }

  /**
   * The client for fulfillment-worker, from the Boot builder, which the starter has already given Threadline's
   * interceptor (client span, {@code traceparent}, {@code X-Request-Id}, call line). The read timeout caps what a
   * user waits per attempt.
   */
  @Bean
  RestClient workerClient(RestClient.Builder builder, @Value("${demo.worker-url}") String workerUrl,
      @Value("${demo.fulfilment.read-timeout}") Duration readTimeout) {
    JdkClientHttpRequestFactory requests = new JdkClientHttpRequestFactory();
    requests.setReadTimeout(readTimeout);
    return builder.baseUrl(workerUrl).requestFactory(requests).build();
  }

  /** The broker runs inside fulfillment-worker; Boot's JmsAutoConfiguration builds the JmsTemplate on this. */
  @Bean
  ConnectionFactory connectionFactory(@Value("${demo.broker-url}") String brokerUrl) {
    return new CachingConnectionFactory(new ActiveMQConnectionFactory(brokerUrl));
  }
}
