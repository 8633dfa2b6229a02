import com.google.protobuf.ListValue;
import com.google.protobuf.Value;
import io.seldon.protos.PredictionProtos.DefaultData;
import io.seldon.protos.PredictionProtos.SeldonMessage;
import io.seldon.wrapper.api.SeldonPredictionService;

/** sendFeedback answers [[reward, size of request data, size of truth data, routing or -1]] (the Python Feedback). */
public class Feedback implements SeldonPredictionService {
  @Override
  public SeldonMessage predict(SeldonMessage request) {
    return Conformance.echo(request);
  }

  @Override
  public SeldonMessage sendFeedback(io.seldon.protos.PredictionProtos.Feedback feedback) {
    double[] row = {
      feedback.getReward(),
      Conformance.values(feedback.getRequest().getData()).size(),
      Conformance.values(feedback.getTruth().getData()).size(),
      feedback.getResponse().getMeta().getRoutingCount() > 0
          ? feedback.getResponse().getMeta().getRoutingMap().values().iterator().next() : -1.0
    };
    DefaultData.Builder data = DefaultData.newBuilder().addNames("t:0").addNames("t:1").addNames("t:2").addNames("t:3");
    if (feedback.getRequest().getData().hasNdarray()) {
      ListValue.Builder values = ListValue.newBuilder();
      for (double v : row) {
        values.addValues(Value.newBuilder().setNumberValue(v));
      }
      data.setNdarray(ListValue.newBuilder().addValues(Value.newBuilder().setListValue(values)));
    } else {
      io.seldon.protos.PredictionProtos.Tensor.Builder tensor =
          io.seldon.protos.PredictionProtos.Tensor.newBuilder().addShape(1).addShape(4);
      for (double v : row) {
        tensor.addValues(v);
      }
      data.setTensor(tensor);
    }
    return SeldonMessage.newBuilder().setData(data).build();
  }
}
