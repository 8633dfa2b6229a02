package com.example;

import io.seldon.protos.PredictionProtos.DefaultData;
import io.seldon.protos.PredictionProtos.SeldonMessage;
import io.seldon.protos.PredictionProtos.Tensor;
import io.seldon.wrapper.api.SeldonPredictionService;

/** TRANSFORMER: negates every value of data.tensor. */
public class Negate implements SeldonPredictionService {
  @Override
  public SeldonMessage transformInput(SeldonMessage request) {
    Tensor in = request.getData().getTensor();
    Tensor.Builder out = Tensor.newBuilder().addAllShape(in.getShapeList());
    in.getValuesList().forEach(v -> out.addValues(-v));
    return SeldonMessage.newBuilder().setData(DefaultData.newBuilder().setTensor(out)).build();
  }
}
