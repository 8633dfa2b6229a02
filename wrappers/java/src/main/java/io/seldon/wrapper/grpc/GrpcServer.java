package io.seldon.wrapper.grpc;

import com.google.protobuf.Empty;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.seldon.protos.CombinerGrpc;
import io.seldon.protos.GenericGrpc;
import io.seldon.protos.ModelGrpc;
import io.seldon.protos.OutputTransformerGrpc;
import io.seldon.protos.PredictionProtos.Feedback;
import io.seldon.protos.PredictionProtos.SeldonMessage;
import io.seldon.protos.PredictionProtos.SeldonMessageList;
import io.seldon.protos.PredictionProtos.SeldonModelMetadata;
import io.seldon.protos.PredictionProtos.SeldonModelMetadataRequest;
import io.seldon.protos.RouterGrpc;
import io.seldon.protos.SeldonGrpc;
import io.seldon.protos.TransformerGrpc;
import io.seldon.wrapper.BadRequest;
import io.seldon.wrapper.Component;
import io.seldon.wrapper.api.SeldonMicroserviceException;
import io.seldon.wrapper.codec.JsonCodec;
import io.seldon.wrapper.metrics.Metrics;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The gRPC transport (spec §5) on grpc-java's Netty server: the services {@code Model},
 * {@code Router}, {@code Transformer}, {@code OutputTransformer}, {@code Combiner}, {@code Generic}
 * and {@code Seldon} of prediction.proto, each RPC one call of {@link Component}, on virtual
 * threads. Bad input the wrapper detects ({@link BadRequest}) answers INVALID_ARGUMENT; an exception
 * of the user's code (a {@link SeldonMicroserviceException} too) answers UNKNOWN with details
 * "Exception calling application: MESSAGE", as grpcio does for the Python wrapper. Messages up to
 * {@code maxMessageBytes} (seldon.io/grpc-max-message-size, GRPC_MAX_MESSAGE_LENGTH).
 */
public final class GrpcServer {
  private static final Logger LOG = Logger.getLogger(GrpcServer.class.getName());

  private final Server server;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final Component component;
  private final Metrics metrics;
  private final SeldonModelMetadata metadata;

  /**
   * A server on {@code host:port} (not started).
   *
   * @param metadataJson the model metadata as JSON, or null when unavailable (Metadata answers INTERNAL)
   */
  public GrpcServer(String host, int port, int maxMessageBytes, Component component, Metrics metrics,
      String metadataJson) {
    this.component = component;
    this.metrics = metrics;
    this.metadata = metadataJson == null ? null : metadata(metadataJson);
    server = NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
        .maxInboundMessageSize(maxMessageBytes)
        .executor(executor)
        .addService(new Model())
        .addService(new Router())
        .addService(new Transformer())
        .addService(new OutputTransformer())
        .addService(new Combiner())
        .addService(new Generic())
        .addService(new Seldon())
        .build();
  }

  /** The metadata message, or null (Metadata answers an error) when the JSON does not fit it. */
  private static SeldonModelMetadata metadata(String json) {
    try {
      return JsonCodec.parse(json, SeldonModelMetadata.newBuilder(), false).build();
    } catch (BadRequest e) {
      LOG.warning("MODEL_METADATA does not fit SeldonModelMetadata, gRPC Metadata will fail: " + e.getMessage());
      return null;
    }
  }

  /** Start serving. @throws IOException when the port cannot be bound */
  public void start() throws IOException {
    server.start();
  }

  /** Stop accepting new calls; calls in flight go on (see {@link #stop}). */
  public void stopAccepting() {
    server.shutdown();
  }

  /**
   * Stop accepting; let calls in flight finish for up to {@code seconds}, then cancel the rest.
   *
   * @throws InterruptedException when interrupted while waiting
   */
  public void stop(int seconds) throws InterruptedException {
    server.shutdown();
    server.awaitTermination(seconds, TimeUnit.SECONDS);
    server.shutdownNow();
    executor.shutdown();
  }

  private <T> void answer(String method, StreamObserver<T> observer, Supplier<T> call) {
    long started = System.nanoTime();
    T result = null;
    Status error = null;
    try {
      result = call.get();
    } catch (BadRequest e) {
      error = Status.INVALID_ARGUMENT.withDescription(e.getMessage());
    } catch (RuntimeException | StackOverflowError e) {
      if (!(e instanceof SeldonMicroserviceException)) {
        LOG.log(Level.SEVERE, "the model failed", e);
      }
      error = Status.UNKNOWN.withDescription("Exception calling application: " + e.getMessage());
    }
    // Recorded before the answer is sent: a client that scrapes after its answer sees it.
    metrics.inc("seldon_s2i_requests", "Requests served, by method, transport and status",
        Map.of("method", method, "transport", "grpc", "code", error == null ? "OK" : error.getCode().name()), 1);
    metrics.observe("seldon_s2i_request_duration_seconds", "Request latency, by method and transport",
        Map.of("method", method, "transport", "grpc"), Metrics.REQUEST_BUCKETS, (System.nanoTime() - started) / 1e9);
    if (error != null) {
      observer.onError(error.asRuntimeException());
    } else {
      observer.onNext(result);
      observer.onCompleted();
    }
  }

  private SeldonModelMetadata metadata() {
    if (metadata == null) {
      throw new IllegalStateException("Model metadata unavailable: MODEL_METADATA is not a JSON object");
    }
    return metadata;
  }

  private final class Model extends ModelGrpc.ModelImplBase {
    @Override
    public void predict(SeldonMessage request, StreamObserver<SeldonMessage> observer) {
      answer(Component.PREDICT, observer, () -> component.predict(request));
    }

    @Override
    public void sendFeedback(Feedback request, StreamObserver<SeldonMessage> observer) {
      answer(Component.FEEDBACK, observer, () -> component.sendFeedback(request));
    }

    @Override
    public void metadata(Empty request, StreamObserver<SeldonModelMetadata> observer) {
      answer("metadata", observer, GrpcServer.this::metadata);
    }
  }

  private final class Router extends RouterGrpc.RouterImplBase {
    @Override
    public void route(SeldonMessage request, StreamObserver<SeldonMessage> observer) {
      answer(Component.ROUTE, observer, () -> component.route(request));
    }

    @Override
    public void sendFeedback(Feedback request, StreamObserver<SeldonMessage> observer) {
      answer(Component.FEEDBACK, observer, () -> component.sendFeedback(request));
    }
  }

  private final class Transformer extends TransformerGrpc.TransformerImplBase {
    @Override
    public void transformInput(SeldonMessage request, StreamObserver<SeldonMessage> observer) {
      answer(Component.TRANSFORM_INPUT, observer, () -> component.transformInput(request));
    }
  }

  private final class OutputTransformer extends OutputTransformerGrpc.OutputTransformerImplBase {
    @Override
    public void transformOutput(SeldonMessage request, StreamObserver<SeldonMessage> observer) {
      answer(Component.TRANSFORM_OUTPUT, observer, () -> component.transformOutput(request));
    }
  }

  private final class Combiner extends CombinerGrpc.CombinerImplBase {
    @Override
    public void aggregate(SeldonMessageList request, StreamObserver<SeldonMessage> observer) {
      answer(Component.AGGREGATE, observer, () -> component.aggregate(request));
    }
  }

  private final class Generic extends GenericGrpc.GenericImplBase {
    @Override
    public void transformInput(SeldonMessage request, StreamObserver<SeldonMessage> observer) {
      answer(Component.TRANSFORM_INPUT, observer, () -> component.transformInput(request));
    }

    @Override
    public void transformOutput(SeldonMessage request, StreamObserver<SeldonMessage> observer) {
      answer(Component.TRANSFORM_OUTPUT, observer, () -> component.transformOutput(request));
    }

    @Override
    public void route(SeldonMessage request, StreamObserver<SeldonMessage> observer) {
      answer(Component.ROUTE, observer, () -> component.route(request));
    }

    @Override
    public void aggregate(SeldonMessageList request, StreamObserver<SeldonMessage> observer) {
      answer(Component.AGGREGATE, observer, () -> component.aggregate(request));
    }

    @Override
    public void sendFeedback(Feedback request, StreamObserver<SeldonMessage> observer) {
      answer(Component.FEEDBACK, observer, () -> component.sendFeedback(request));
    }
  }

  private final class Seldon extends SeldonGrpc.SeldonImplBase {
    @Override
    public void predict(SeldonMessage request, StreamObserver<SeldonMessage> observer) {
      answer(Component.PREDICT, observer, () -> component.predict(request));
    }

    @Override
    public void sendFeedback(Feedback request, StreamObserver<SeldonMessage> observer) {
      answer(Component.FEEDBACK, observer, () -> component.sendFeedback(request));
    }

    @Override
    public void modelMetadata(SeldonModelMetadataRequest request, StreamObserver<SeldonModelMetadata> observer) {
      answer("metadata", observer, GrpcServer.this::metadata);
    }
  }
}
