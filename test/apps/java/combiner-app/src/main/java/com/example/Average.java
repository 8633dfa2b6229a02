package com.example;

import io.seldon.protos.PredictionProtos.DefaultData;
import io.seldon.protos.PredictionProtos.SeldonMessage;
import io.seldon.protos.PredictionProtos.SeldonMessageList;
import io.seldon.protos.PredictionProtos.Tensor;
import io.seldon.wrapper.api.SeldonPredictionService;

/** COMBINER: the element-wise mean of the children's data.tensor values. */
public class Average implements SeldonPredictionService {
  @Override
  public SeldonMessage aggregate(SeldonMessageList request) {
    Tensor first = request.getSeldonMessages(0).getData().getTensor();
    double[] sum = new double[first.getValuesCount()];
    for (SeldonMessage m : request.getSeldonMessagesList()) {
      for (int i = 0; i < sum.length; i++) {
        sum[i] += m.getData().getTensor().getValues(i);
      }
    }
    Tensor.Builder out = Tensor.newBuilder().addAllShape(first.getShapeList());
    for (double s : sum) {
      out.addValues(s / request.getSeldonMessagesCount());
    }
    return SeldonMessage.newBuilder().setData(DefaultData.newBuilder().setTensor(out)).build();
  }
}
