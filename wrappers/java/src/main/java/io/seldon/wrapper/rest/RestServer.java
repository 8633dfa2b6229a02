package io.seldon.wrapper.rest;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.seldon.protos.PredictionProtos.Feedback;
import io.seldon.protos.PredictionProtos.SeldonMessage;
import io.seldon.protos.PredictionProtos.SeldonMessageList;
import io.seldon.wrapper.BadRequest;
import io.seldon.wrapper.Component;
import io.seldon.wrapper.api.SeldonMicroserviceException;
import io.seldon.wrapper.codec.JsonCodec;
import io.seldon.wrapper.metrics.Metrics;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The REST transport (spec §2), on the JDK's {@code com.sun.net.httpserver} with one virtual
 * thread per request. Routes, as the Python wrapper's: {@code /predict}, {@code /send-feedback},
 * {@code /transform-input}, {@code /transform-output}, {@code /route}, {@code /aggregate} (GET and
 * POST), {@code /api/v1.0|v0.1/predictions} and {@code /feedback} (POST), {@code /health/ping},
 * {@code /health/status}, {@code /metadata} (GET).
 *
 * <p>A message comes as a JSON body ({@code application/json} or {@code +json}), a form field or a
 * query parameter {@code json=}. Errors answer the Seldon status JSON: 400 for what the client
 * sent, 413 above SELDON_S2I_MAX_REQUEST_BYTES, 500 with the exception's message for the user's
 * code; unknown routes and wrong methods answer 500 like the reference and the Python wrapper
 * (spec §9 quirk 1). Every answer carries flask-cors' CORS headers.
 */
public final class RestServer {
  private static final Logger LOG = Logger.getLogger(RestServer.class.getName());
  private static final String CORS_METHODS = "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT";

  private record Route(List<String> methods, String label, Function<String, String> handler) {}

  private final HttpServer server;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final Map<String, Route> routes = new HashMap<>();
  private final Component component;
  private final Metrics metrics;
  private final long maxBody;
  private final String metadata;

  /**
   * A server on {@code host:port} (not started).
   *
   * @param metadata the JSON of GET /metadata, or null when it is unavailable (500)
   * @throws IOException when the port cannot be bound
   */
  public RestServer(String host, int port, Component component, Metrics metrics, long maxBody, String metadata)
      throws IOException {
    this.component = component;
    this.metrics = metrics;
    this.maxBody = maxBody;
    this.metadata = metadata;
    List<String> both = List.of("GET", "POST");
    List<String> post = List.of("POST");
    Function<String, String> predict = body -> print(component.predict(message(body)));
    Function<String, String> feedback = body -> print(component.sendFeedback(
        JsonCodec.parse(body, Feedback.newBuilder(), true).build()));
    routes.put("/predict", new Route(both, Component.PREDICT, predict));
    routes.put("/api/v1.0/predictions", new Route(post, Component.PREDICT, predict));
    routes.put("/api/v0.1/predictions", new Route(post, Component.PREDICT, predict));
    routes.put("/send-feedback", new Route(both, Component.FEEDBACK, feedback));
    routes.put("/api/v1.0/feedback", new Route(post, Component.FEEDBACK, feedback));
    routes.put("/api/v0.1/feedback", new Route(post, Component.FEEDBACK, feedback));
    routes.put("/transform-input", new Route(both, Component.TRANSFORM_INPUT,
        body -> print(component.transformInput(message(body)))));
    routes.put("/transform-output", new Route(both, Component.TRANSFORM_OUTPUT,
        body -> print(component.transformOutput(message(body)))));
    routes.put("/route", new Route(both, Component.ROUTE, body -> print(component.route(message(body)))));
    routes.put("/aggregate", new Route(both, Component.AGGREGATE, body -> print(component.aggregate(list(body)))));
    server = HttpServer.create(new InetSocketAddress(host, port), 1024);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
  }

  /** Start serving. */
  public void start() {
    server.start();
  }

  /**
   * Stop accepting, let requests in flight finish for up to {@code seconds} (returns as soon as
   * none is left: the JDK's {@code HttpServer.stop}).
   */
  public void stop(int seconds) {
    server.stop(seconds);
    executor.shutdown();
  }

  private static SeldonMessage message(String body) {
    return JsonCodec.parse(body, SeldonMessage.newBuilder(), false).build();
  }

  /** A SeldonMessageList: {@code {"seldonMessages": [...]}} or a bare JSON list of messages. */
  private static SeldonMessageList list(String body) {
    JsonElement tree = JsonCodec.tree(body);
    if (tree.isJsonArray()) {
      JsonObject wrapped = new JsonObject();
      wrapped.add("seldonMessages", tree);
      body = wrapped.toString();
    } else if (!tree.isJsonObject() || !tree.getAsJsonObject().has("seldonMessages")) {
      throw new BadRequest("Invalid request data type: " + tree);
    }
    return JsonCodec.parse(body, SeldonMessageList.newBuilder(), false).build();
  }

  private static String print(SeldonMessage message) {
    return JsonCodec.printMessage(message);
  }

  /** A JSON answer not sent yet. */
  private record Reply(int status, String body) {}

  private void handle(HttpExchange exchange) throws IOException {
    long started = System.nanoTime();
    String path = exchange.getRequestURI().getPath();
    Route route = routes.get(path);
    try {
      Reply reply = reply(exchange, path, exchange.getRequestMethod(), route);
      if (reply != null) {
        // Recorded before the answer is sent: a client that scrapes after its answer sees it.
        if (route != null) {
          metrics.inc("seldon_s2i_requests", "Requests served, by method, transport and status",
              Map.of("method", route.label, "transport", "rest", "code", Integer.toString(reply.status)), 1);
          metrics.observe("seldon_s2i_request_duration_seconds", "Request latency, by method and transport",
              Map.of("method", route.label, "transport", "rest"), Metrics.REQUEST_BUCKETS,
              (System.nanoTime() - started) / 1e9);
        }
        send(exchange, reply.status, reply.body);
      }
    } finally {
      exchange.close();
    }
  }

  /** The JSON answer to one request, or null when it was answered already (ping, preflight). */
  private Reply reply(HttpExchange exchange, String path, String method, Route route) throws IOException {
    try {
      cors(exchange);
      if (method.equals("OPTIONS")) {
        preflight(exchange);
        return null;
      } else if (route != null && (route.methods.contains(method)
          || (method.equals("HEAD") && route.methods.contains("GET")))) {
        return new Reply(200, route.handler.apply(readMessage(exchange)));
      }
      return other(exchange, path, method, route != null);
    } catch (SeldonMicroserviceException e) {
      LOG.warning(e.getMessage());
      return new Reply(e.getStatusCode(), statusBody(e.getMessage(), e.getReason()));
    } catch (RuntimeException | StackOverflowError e) {
      LOG.log(Level.SEVERE, "the model failed", e);
      return new Reply(500, statusBody(String.valueOf(e.getMessage()), "MICROSERVICE_INTERNAL_ERROR"));
    }
  }

  /** Health, metadata, and the reference's 500 for unknown routes and methods. */
  private Reply other(HttpExchange exchange, String path, String method, boolean known) throws IOException {
    if (method.equals("GET") || method.equals("HEAD")) {
      switch (path) {
        case "/health/ping" -> {
          byte[] pong = "pong".getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
          exchange.sendResponseHeaders(200, pong.length);
          exchange.getResponseBody().write(pong);
          return null;
        }
        case "/health/status", "/api/v1.0/health/status" -> {
          return new Reply(200, JsonCodec.printMessage(SeldonMessage.newBuilder().setStrData("healthy").build()));
        }
        case "/metadata", "/api/v1.0/metadata" -> {
          if (metadata == null) {
            throw new SeldonMicroserviceException("Model metadata unavailable", 500, "MICROSERVICE_BAD_METADATA");
          }
          return new Reply(200, metadata);
        }
        default -> { }
      }
    }
    String why = known ? "405 Method Not Allowed: The method is not allowed for the requested URL."
        : "404 Not Found: The requested URL was not found on the server.";
    return new Reply(500, statusBody(why, "MICROSERVICE_INTERNAL_ERROR"));
  }

  private static void preflight(HttpExchange exchange) throws IOException {
    Headers in = exchange.getRequestHeaders();
    if (in.containsKey("Access-Control-Request-Method")) {
      exchange.getResponseHeaders().set("Access-Control-Allow-Methods", CORS_METHODS);
      String headers = in.getFirst("Access-Control-Request-Headers");
      if (headers != null) {
        exchange.getResponseHeaders().set("Access-Control-Allow-Headers", headers);
      }
    }
    exchange.getResponseHeaders().set("Allow", "GET, HEAD, OPTIONS, POST");
    exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
    exchange.sendResponseHeaders(200, -1);
  }

  private static void cors(HttpExchange exchange) {
    String origin = exchange.getRequestHeaders().getFirst("Origin");
    Headers out = exchange.getResponseHeaders();
    if (origin != null && !origin.isEmpty()) {
      out.set("Access-Control-Allow-Origin", origin);
      out.set("Vary", "Origin");
    } else {
      out.set("Access-Control-Allow-Origin", "*");
    }
  }

  /** The request's SeldonMessage text: form or query {@code json=}, else a JSON body. */
  private String readMessage(HttpExchange exchange) throws IOException {
    String contentType = String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type")).toLowerCase();
    String mime = contentType.split(";", 2)[0].strip();
    if (mime.equals("multipart/form-data")) {
      throw new BadRequest("multipart/form-data is not supported by the Java wrapper: send the message as a JSON body or a json= form field");
    }
    String body = readBody(exchange);
    if (mime.equals("application/x-www-form-urlencoded")) {
      String field = formField(body, "json");
      if (field != null) {
        return field;
      }
    }
    String query = formField(exchange.getRequestURI().getRawQuery(), "json");
    if (query != null) {
      return query;
    }
    if ((mime.equals("application/json") || (mime.startsWith("application/") && mime.endsWith("+json")))
        && !body.isEmpty()) {
      return body;
    }
    throw new BadRequest(JsonCodec.NO_JSON);
  }

  private String readBody(HttpExchange exchange) throws IOException {
    try (InputStream in = exchange.getRequestBody()) {
      byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBody + 1));
      if (body.length > maxBody) {
        throw new SeldonMicroserviceException("Request body larger than the limit (SELDON_S2I_MAX_REQUEST_BYTES)",
            413, "MICROSERVICE_BAD_DATA");
      }
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /** The first value of {@code name} in an urlencoded string, or null. */
  static String formField(String encoded, String name) {
    if (encoded == null || encoded.isEmpty()) {
      return null;
    }
    for (String pair : encoded.split("&")) {
      int eq = pair.indexOf('=');
      String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      if (key.equals(name)) {
        return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  /** The Seldon status document of an error. */
  public static String statusBody(String info, String reason) {
    JsonObject status = new JsonObject();
    status.addProperty("code", -1);
    status.addProperty("info", info);
    status.addProperty("reason", reason);
    status.addProperty("status", 1);
    JsonObject out = new JsonObject();
    out.add("status", status);
    return out.toString();
  }

  private static void send(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
  }
}
