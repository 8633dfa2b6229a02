package com.example;

import com.google.protobuf.ListValue;
import com.google.protobuf.Value;
import io.seldon.protos.PredictionProtos.DefaultData;
import io.seldon.protos.PredictionProtos.SeldonMessage;
import io.seldon.wrapper.api.SeldonPredictionService;

/** ROUTER: routes to the child named by the first number of data.ndarray (none: an exception). */
public class FirstNumberRouter implements SeldonPredictionService {
  @Override
  public SeldonMessage route(SeldonMessage request) {
    if (request.getData().getNdarray().getValuesCount() == 0) {
      throw new IllegalArgumentException("no number to route on");
    }
    Value first = request.getData().getNdarray().getValues(0);
    while (first.hasListValue()) {
      first = first.getListValue().getValues(0);
    }
    ListValue row = ListValue.newBuilder().addValues(Value.newBuilder().setNumberValue((int) first.getNumberValue())).build();
    return SeldonMessage.newBuilder()
        .setData(DefaultData.newBuilder().setNdarray(ListValue.newBuilder().addValues(Value.newBuilder().setListValue(row))))
        .build();
  }
}
