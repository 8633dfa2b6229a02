import com.google.protobuf.ListValue;
import com.google.protobuf.Value;
import io.seldon.protos.PredictionProtos.DefaultData;
import io.seldon.protos.PredictionProtos.SeldonMessage;
import io.seldon.protos.PredictionProtos.Tensor;
import io.seldon.wrapper.api.SeldonPredictionService;

/** Routes on the first value: 0 and 1 to that child, 3 raises, 4 answers -1 (the Python Router). */
public class Router implements SeldonPredictionService {
  @Override
  public SeldonMessage route(SeldonMessage request) {
    DefaultData data = request.getData();
    double first;
    if (data.hasTensor()) {
      first = data.getTensor().getValues(0);
    } else {
      Value v = data.getNdarray().getValues(0);
      while (v.hasListValue()) {
        v = v.getListValue().getValues(0);
      }
      first = v.getNumberValue();
    }
    int child = (int) first;
    if (child == 3) {
      throw new IllegalArgumentException("no route for 3");
    }
    if (child == 4) {
      child = -1;
    }
    DefaultData.Builder out = DefaultData.newBuilder().addNames("t:0");
    if (data.hasTensor()) {
      out.setTensor(Tensor.newBuilder().addShape(1).addShape(1).addValues(child));
    } else {
      ListValue row = ListValue.newBuilder().addValues(Value.newBuilder().setNumberValue(child)).build();
      out.setNdarray(ListValue.newBuilder().addValues(Value.newBuilder().setListValue(row)));
    }
    return SeldonMessage.newBuilder().setData(out).build();
  }
}
