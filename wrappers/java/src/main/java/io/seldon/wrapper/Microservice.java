package io.seldon.wrapper;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpServer;
import io.seldon.wrapper.api.SeldonPredictionService;
import io.seldon.wrapper.grpc.GrpcServer;
import io.seldon.wrapper.metrics.Metrics;
import io.seldon.wrapper.rest.RestServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The entry point: {@code java io.seldon.wrapper.Microservice [MODEL_NAME [SERVICE_TYPE]]} serves
 * the model (REST, gRPC and metrics on the ports of {@link Settings}) until SIGTERM, then stops
 * accepting and lets requests in flight finish (up to SELDON_S2I_GRACE_SECONDS, default 20), and
 * exits 0.
 * {@code --check MODEL_NAME} only checks that the class loads and implements the interface (the
 * builder's assemble runs it). Start-up mistakes print one {@code ERROR:} line and exit 2.
 */
public final class Microservice {
  private Microservice() {}

  /** Run; see the class comment. */
  public static void main(String[] args) throws Exception {
    // The JDK's HTTP server writes a response's head and body separately: without TCP_NODELAY a
    // keep-alive client waits for the delayed ACK (~40 ms) on every request.
    System.setProperty("sun.net.httpserver.nodelay", "true");
    if (args.length == 2 && args[0].equals("--check")) {
      try {
        ModelLoader.find(args[1]);
      } catch (ModelLoader.LoadError e) {
        System.err.println("ERROR: " + e.getMessage());
        System.exit(1);
      }
      return;
    }
    Settings settings;
    SeldonPredictionService user;
    try {
      settings = Settings.from(args, System.getenv());
      user = ModelLoader.create(settings.modelName(), settings.parameters());
    } catch (Settings.UsageError | ModelLoader.LoadError e) {
      System.err.println("ERROR: " + e.getMessage());
      System.exit(2);
      return;
    }
    try {
      serve(settings, user);
    } catch (IOException e) {
      System.err.println("ERROR: cannot listen on a port of " + settings.modelName() + " (REST "
          + port(settings.httpPort()) + ", gRPC " + port(settings.grpcPort()) + ", metrics " + settings.metricsPort()
          + "): " + e.getMessage() + "; choose free ports with PREDICTIVE_UNIT_*_SERVICE_PORT");
      System.exit(1);
    }
  }

  private static void serve(Settings settings, SeldonPredictionService user) throws IOException, InterruptedException {
    String host = System.getenv().getOrDefault("SELDON_S2I_HOST", "0.0.0.0");
    Metrics metrics = new Metrics();
    boolean includeMetrics = !"false".equalsIgnoreCase(System.getenv("INCLUDE_METRICS_IN_CLIENT_RESPONSE"));
    Component component = new Component(user, metrics, settings, includeMetrics);
    String metadata = metadata(settings);
    RestServer rest = settings.httpPort() > 0
        ? new RestServer(host, settings.httpPort(), component, metrics, settings.maxRequestBytes(), metadata) : null;
    GrpcServer grpc = settings.grpcPort() > 0
        ? new GrpcServer(host, settings.grpcPort(), settings.grpcMaxMessageBytes(), component, metrics, metadata) : null;
    HttpServer metricsServer = HttpServer.create(new InetSocketAddress(host, settings.metricsPort()), 64);
    metricsServer.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    metricsServer.createContext(settings.metricsPath(), exchange -> {
      byte[] body = metrics.exposition().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", Metrics.CONTENT_TYPE);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    metricsServer.start();
    if (grpc != null) {
      grpc.start();
    }
    if (rest != null) {
      rest.start();
    }
    System.out.printf("---> Serving %s (SERVICE_TYPE=%s): REST %s, gRPC %s, metrics %d%s%n", settings.modelName(),
        settings.serviceType(), port(settings.httpPort()), port(settings.grpcPort()), settings.metricsPort(),
        settings.metricsPath());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.out.println("---> SIGTERM: finishing the requests in flight, then stopping");
      // One deadline for both listeners: SELDON_S2I_GRACE_SECONDS in all, not per listener.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(settings.graceSeconds());
      if (grpc != null) {
        grpc.stopAccepting();
      }
      if (rest != null) {
        rest.stop(settings.graceSeconds());
      }
      if (grpc != null) {
        try {
          grpc.stop((int) Math.max(0, TimeUnit.NANOSECONDS.toSeconds(deadline - System.nanoTime())));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      metricsServer.stop(0);
      stopped.countDown();
    }));
    // SIGTERM (the kubelet's and docker stop's) and SIGINT exit 0 once the hook above has drained:
    // left to the JVM, a signal ends it with 128+signal (143), which reads as a failed container.
    for (String name : new String[] {"TERM", "INT"}) {
      sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> System.exit(0));
    }
    stopped.await();
  }

  private static String port(int port) {
    return port > 0 ? Integer.toString(port) : "off";
  }

  /**
   * GET /metadata: the defaults from PREDICTIVE_UNIT_IMAGE (name, versions), overlaid by
   * MODEL_METADATA (JSON); null (answers 500 MICROSERVICE_BAD_METADATA) when MODEL_METADATA is not
   * a JSON object.
   */
  static String metadata(Settings settings) {
    JsonObject out = new JsonObject();
    out.addProperty("name", settings.image().isEmpty() ? "" : settings.imageName());
    JsonArray versions = new JsonArray();
    versions.add(settings.image().isEmpty() ? "" : settings.imageVersion());
    out.add("versions", versions);
    out.addProperty("platform", "");
    out.add("inputs", new JsonArray());
    out.add("outputs", new JsonArray());
    out.add("custom", new JsonObject());
    if (settings.modelMetadata() != null && !settings.modelMetadata().isBlank()) {
      try {
        JsonElement given = JsonParser.parseString(settings.modelMetadata());
        if (!given.isJsonObject()) {
          return null;
        }
        given.getAsJsonObject().entrySet().forEach(e -> out.add(e.getKey(), e.getValue()));
      } catch (RuntimeException e) {
        return null;
      }
    }
    return out.toString();
  }
}
