package com.example;

import com.google.protobuf.ListValue;
import com.google.protobuf.Value;
import io.seldon.protos.PredictionProtos.DefaultData;
import io.seldon.protos.PredictionProtos.Meta;
import io.seldon.protos.PredictionProtos.Metric;
import io.seldon.protos.PredictionProtos.SeldonMessage;
import io.seldon.wrapper.api.SeldonPredictionService;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;

/**
 * The operator-contract test app (test/integration/test_operator_contract.py), Java's version of
 * test/apps/operator-contract-app/ContractModel.py. One class plays both graph roles: as a
 * TRANSFORMER it adds the parameter {@code offset} (default 0) to every value of data.ndarray, as a
 * MODEL it multiplies every value by {@code scale} (default 2). A request whose names are ["slow"]
 * takes {@code slow_millis} (INT, default SLOW_MILLIS; Java's app only: the SIGTERM grace test of
 * test/integration/test_java_builder.py). Every answer has the tag {@code <tag parameter>: "called"} (default tag "unit"),
 * the COUNTER contract_calls_total of 1, and names "t:0".."t:n-1" for the n columns of its rows
 * (as the Python wrapper names a 2-D answer).
 */
public class ContractModel implements SeldonPredictionService {
  static final long SLOW_MILLIS = 1500;

  private final double offset;
  private final double scale;
  private final String tag;
  private final long slowMillis;

  /** The unit's PREDICTIVE_UNIT_PARAMETERS: offset and scale (FLOAT), tag (STRING), slow_millis (INT). */
  public ContractModel(Map<String, Object> parameters) {
    this.offset = ((Number) parameters.getOrDefault("offset", 0.0)).doubleValue();
    this.scale = ((Number) parameters.getOrDefault("scale", 2.0)).doubleValue();
    this.tag = String.valueOf(parameters.getOrDefault("tag", "unit"));
    this.slowMillis = ((Number) parameters.getOrDefault("slow_millis", SLOW_MILLIS)).longValue();
  }

  @Override
  public SeldonMessage transformInput(SeldonMessage request) {
    return answer(request, v -> v + offset);
  }

  @Override
  public SeldonMessage predict(SeldonMessage request) {
    return answer(request, v -> v * scale);
  }

  private SeldonMessage answer(SeldonMessage request, DoubleUnaryOperator op) {
    if (request.getData().getNamesList().equals(List.of("slow"))) {
      try {
        Thread.sleep(slowMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while slow", e);
      }
    }
    ListValue rows = map(request.getData().getNdarray(), op);
    DefaultData.Builder data = DefaultData.newBuilder().setNdarray(rows);
    if (rows.getValuesCount() > 0 && rows.getValues(0).hasListValue()) {
      for (int i = 0; i < rows.getValues(0).getListValue().getValuesCount(); i++) {
        data.addNames("t:" + i);
      }
    }
    Meta meta = Meta.newBuilder()
        .putTags(tag, Value.newBuilder().setStringValue("called").build())
        .addMetrics(Metric.newBuilder().setType(Metric.MetricType.COUNTER).setKey("contract_calls_total").setValue(1))
        .build();
    return SeldonMessage.newBuilder().setData(data).setMeta(meta).build();
  }

  private static ListValue map(ListValue list, DoubleUnaryOperator op) {
    ListValue.Builder out = ListValue.newBuilder();
    for (Value v : list.getValuesList()) {
      out.addValues(v.hasListValue() ? Value.newBuilder().setListValue(map(v.getListValue(), op)).build()
          : Value.newBuilder().setNumberValue(op.applyAsDouble(v.getNumberValue())).build());
    }
    return out.build();
  }
}
