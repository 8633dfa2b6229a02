package com.example;

import com.google.gson.JsonObject;
import com.google.protobuf.util.JsonFormat;
import io.seldon.protos.PredictionProtos.SeldonMessage;
import io.seldon.wrapper.api.SeldonPredictionService;

/** A Maven project: answers jsonData {"length": <characters of strData>, "upper": <strData upper-cased>}, built with Gson. */
public class PomModel implements SeldonPredictionService {
  @Override
  public SeldonMessage predict(SeldonMessage request) {
    JsonObject out = new JsonObject();
    out.addProperty("length", request.getStrData().length());
    out.addProperty("upper", request.getStrData().toUpperCase());
    SeldonMessage.Builder answer = SeldonMessage.newBuilder();
    try {
      JsonFormat.parser().merge("{\"jsonData\": " + out + "}", answer);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
    return answer.build();
  }
}
