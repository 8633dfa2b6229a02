package com.example;

import com.google.protobuf.ListValue;
import com.google.protobuf.Value;
import io.seldon.protos.PredictionProtos.DefaultData;
import io.seldon.protos.PredictionProtos.SeldonMessage;
import io.seldon.wrapper.api.SeldonPredictionService;
import java.util.Map;

/** Plain sources (no pom.xml): multiplies every number of data.ndarray by the `scale` parameter. */
public class MyModel implements SeldonPredictionService {
  private final double scale;

  public MyModel(Map<String, Object> parameters) {
    this.scale = ((Number) parameters.getOrDefault("scale", 2)).doubleValue();
  }

  @Override
  public SeldonMessage predict(SeldonMessage request) {
    return SeldonMessage.newBuilder()
        .setData(DefaultData.newBuilder().setNdarray(scaled(request.getData().getNdarray())))
        .build();
  }

  private ListValue scaled(ListValue list) {
    ListValue.Builder out = ListValue.newBuilder();
    for (Value v : list.getValuesList()) {
      if (v.hasListValue()) {
        out.addValues(Value.newBuilder().setListValue(scaled(v.getListValue())));
      } else {
        out.addValues(Value.newBuilder().setNumberValue(v.getNumberValue() * scale));
      }
    }
    return out.build();
  }
}
