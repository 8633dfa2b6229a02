import com.google.protobuf.ListValue;
import com.google.protobuf.Value;
import io.seldon.protos.PredictionProtos.DefaultData;
import io.seldon.protos.PredictionProtos.SeldonMessage;
import io.seldon.protos.PredictionProtos.SeldonMessageList;
import io.seldon.protos.PredictionProtos.Tensor;
import io.seldon.wrapper.api.SeldonPredictionService;
import java.util.List;

/** A combiner: the element-wise mean of all inputs, shaped as the first (the Python Combiner). */
public class Combiner implements SeldonPredictionService {
  @Override
  public SeldonMessage aggregate(SeldonMessageList request) {
    List<SeldonMessage> all = request.getSeldonMessagesList();
    double[] sum = new double[Conformance.values(all.get(0).getData()).size()];
    for (SeldonMessage m : all) {
      List<Double> v = Conformance.values(m.getData());
      for (int i = 0; i < sum.length; i++) {
        sum[i] += v.get(i);
      }
    }
    SeldonMessage first = Conformance.echo(all.get(0));
    DefaultData.Builder data = first.getData().toBuilder();
    if (data.hasTensor()) {
      Tensor.Builder t = Tensor.newBuilder().addAllShape(data.getTensor().getShapeList());
      for (double s : sum) {
        t.addValues(s / all.size());
      }
      data.setTensor(t);
    } else {
      ListValue.Builder row = ListValue.newBuilder();
      for (double s : sum) {
        row.addValues(Value.newBuilder().setNumberValue(s / all.size()));
      }
      data.setNdarray(ListValue.newBuilder().addValues(Value.newBuilder().setListValue(row)));
    }
    return SeldonMessage.newBuilder().setData(data).build();
  }
}
