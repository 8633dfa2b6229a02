package io.seldon.wrapper.api;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.seldon.protos.PredictionProtos.Feedback;
import io.seldon.protos.PredictionProtos.SeldonMessage;
import io.seldon.protos.PredictionProtos.SeldonMessageList;

/**
 * What a Seldon model, router, transformer or combiner implements: the user contract of
 * seldon-core-wrapper 0.4.x ({@code io.seldon.wrapper.api.SeldonPredictionService}), unchanged,
 * without Spring. Every method has a default, so a class overrides only what its SERVICE_TYPE
 * uses (a MODEL: {@link #predict}).
 *
 * <p>The defaults copy the original's: each SeldonMessage method answers an empty message, and the
 * raw methods decode the request, call {@link #predict} and encode its answer.
 *
 * <p>To fail a request with a chosen HTTP status and reason, throw {@link SeldonMicroserviceException};
 * any other exception answers 500 with its message (gRPC: INTERNAL), and the server keeps serving.
 */
public interface SeldonPredictionService {

  /** MODEL: the prediction for {@code request} (REST /predict, gRPC Model/Predict). */
  default SeldonMessage predict(SeldonMessage request) {
    return SeldonMessage.newBuilder().build();
  }

  /** ROUTER: the index of the child to route to, as {@code data.ndarray [[i]]} (REST /route). */
  default SeldonMessage route(SeldonMessage request) {
    return SeldonMessage.newBuilder().build();
  }

  /** MODEL and ROUTER: feedback on an earlier prediction (REST /send-feedback). */
  default SeldonMessage sendFeedback(Feedback request) {
    return SeldonMessage.newBuilder().build();
  }

  /** TRANSFORMER: the transformed input (REST /transform-input). */
  default SeldonMessage transformInput(SeldonMessage request) {
    return SeldonMessage.newBuilder().build();
  }

  /** OUTPUT_TRANSFORMER: the transformed output (REST /transform-output). */
  default SeldonMessage transformOutput(SeldonMessage request) {
    return SeldonMessage.newBuilder().build();
  }

  /** COMBINER: one message from the messages of the children (REST /aggregate). */
  default SeldonMessage aggregate(SeldonMessageList request) {
    return SeldonMessage.newBuilder().build();
  }

  /**
   * The original's raw REST hook: the JSON text of a SeldonMessage in, JSON text out. The default
   * parses it, calls {@link #predict} and prints the answer. (Kept for source compatibility; the
   * server calls {@link #predict}.)
   *
   * @throws InvalidProtocolBufferException when {@code request} is not a SeldonMessage in JSON
   */
  default String predictRawREST(String request) throws InvalidProtocolBufferException {
    SeldonMessage.Builder builder = SeldonMessage.newBuilder();
    JsonFormat.parser().ignoringUnknownFields().merge(request, builder);
    return JsonFormat.printer().print(predict(builder.build()));
  }

  /**
   * The original's raw gRPC hook: a serialized SeldonMessage in, a serialized one out.
   *
   * @throws InvalidProtocolBufferException when {@code request} is not a SeldonMessage
   */
  default byte[] predictRawGRPC(byte[] request) throws InvalidProtocolBufferException {
    return predict(SeldonMessage.parseFrom(request)).toByteArray();
  }
}
