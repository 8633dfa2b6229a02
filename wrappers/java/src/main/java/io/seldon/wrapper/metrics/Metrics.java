package io.seldon.wrapper.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * Prometheus metrics in the text exposition format 0.0.4, written by us (Debian packages no
 * Prometheus Java client). The names and labels are the Python wrapper's
 * ({@code seldon_s2i.runtime.metrics}):
 *
 * <ul>
 *   <li>{@code seldon_s2i_requests_total{method,transport,code}}: requests served;
 *   <li>{@code seldon_s2i_request_duration_seconds{method,transport}}: latency histogram;
 *   <li>{@code seldon_api_model_feedback_total}, {@code seldon_api_model_feedback_reward_total}:
 *       seldon-core's feedback counters (a negative reward counts as feedback, not as reward);
 *   <li>the model's own COUNTER / GAUGE / TIMER metrics from {@code meta.metrics} (TIMER values are
 *       milliseconds, exposed as a histogram in seconds), labelled with the unit's identity, the
 *       metric's tags and {@code method}.
 * </ul>
 *
 * Thread-safe; a family keeps the label names it was first used with (a later use with other
 * label names is refused with {@link IllegalArgumentException}, as prometheus_client does).
 */
public final class Metrics {
  /** The Content-Type of {@link #exposition()}. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  /** The request latency buckets, seconds (the Python wrapper's REQUEST_BUCKETS). */
  public static final double[] REQUEST_BUCKETS = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0
  };

  /** The TIMER buckets, seconds: seldon-core 1.17.1's (np.logspace(-3, log10(30), 50)). */
  public static final double[] TIMER_BUCKETS = timerBuckets();

  private final Map<String, Family> families = new ConcurrentHashMap<>();

  private static double[] timerBuckets() {
    double[] out = new double[50];
    double low = Math.log10(0.001);
    double high = Math.log10(30);
    for (int i = 0; i < 50; i++) {
      out[i] = Math.pow(10, low + (high - low) * i / 49);
    }
    out[0] = 0.001;
    out[49] = 30.0;
    return out;
  }

  private enum Kind {
    COUNTER("counter"),
    GAUGE("gauge"),
    HISTOGRAM("histogram");

    final String text;

    Kind(String text) {
      this.text = text;
    }
  }

  private static final class Series {
    final DoubleAdder value = new DoubleAdder();
    final DoubleAdder sum = new DoubleAdder();
    final DoubleAdder[] buckets;
    volatile double gauge;

    Series(int buckets) {
      this.buckets = new DoubleAdder[buckets];
      for (int i = 0; i < buckets; i++) {
        this.buckets[i] = new DoubleAdder();
      }
    }
  }

  private record Family(String name, Kind kind, String help, List<String> labelNames, double[] bounds,
      Map<List<String>, Series> series) {}

  private Family family(String name, Kind kind, String help, List<String> labelNames, double[] bounds) {
    Family family = families.computeIfAbsent(name,
        n -> new Family(n, kind, help, List.copyOf(labelNames), bounds, new ConcurrentHashMap<>()));
    if (family.kind != kind || !family.labelNames.equals(labelNames)) {
      throw new IllegalArgumentException("metric " + name + " is a " + family.kind.text + " with labels "
          + family.labelNames + "; it cannot be a " + kind.text + " with labels " + labelNames);
    }
    return family;
  }

  private static Series series(Family family, List<String> labelValues) {
    return family.series.computeIfAbsent(List.copyOf(labelValues),
        v -> new Series(family.bounds == null ? 0 : family.bounds.length));
  }

  /**
   * Add {@code amount} (≥ 0) to a counter. A trailing {@code _total} of {@code name} is dropped,
   * as prometheus_client's Counter drops it (metrics.py, _build_full_name), so a model's COUNTER
   * {@code x_total} is exposed as {@code x_total}, not {@code x_total_total}.
   *
   * @throws IllegalArgumentException for a negative amount or a name/label clash
   */
  public void inc(String name, String help, Map<String, String> labels, double amount) {
    if (amount < 0 || Double.isNaN(amount)) {
      throw new IllegalArgumentException("counter " + name + " cannot be increased by " + amount);
    }
    String base = name.endsWith("_total") ? name.substring(0, name.length() - "_total".length()) : name;
    TreeMap<String, String> sorted = new TreeMap<>(labels);
    series(family(base, Kind.COUNTER, help, new ArrayList<>(sorted.keySet()), null),
        new ArrayList<>(sorted.values())).value.add(amount);
  }

  /** Set a gauge. @throws IllegalArgumentException for a name/label clash */
  public void set(String name, String help, Map<String, String> labels, double value) {
    TreeMap<String, String> sorted = new TreeMap<>(labels);
    series(family(name, Kind.GAUGE, help, new ArrayList<>(sorted.keySet()), null),
        new ArrayList<>(sorted.values())).gauge = value;
  }

  /** Observe {@code value} in a histogram with the given upper bounds (+Inf is added). */
  public void observe(String name, String help, Map<String, String> labels, double[] bounds, double value) {
    TreeMap<String, String> sorted = new TreeMap<>(labels);
    Series series = series(family(name, Kind.HISTOGRAM, help, new ArrayList<>(sorted.keySet()), bounds),
        new ArrayList<>(sorted.values()));
    for (int i = 0; i < bounds.length; i++) {
      if (value <= bounds[i]) {
        series.buckets[i].add(1);
      }
    }
    series.value.add(1);
    series.sum.add(value);
  }

  /** Every family in the text exposition format, families sorted by name. */
  public String exposition() {
    StringBuilder out = new StringBuilder();
    new TreeMap<>(families).values().forEach(f -> write(out, f));
    return out.toString();
  }

  private static void write(StringBuilder out, Family f) {
    // A counter's HELP and TYPE name its sample (name_total), as prometheus_client writes them.
    String named = f.kind == Kind.COUNTER ? f.name + "_total" : f.name;
    out.append("# HELP ").append(named).append(' ').append(escapeHelp(f.help)).append('\n');
    out.append("# TYPE ").append(named).append(' ').append(f.kind.text).append('\n');
    f.series.forEach((values, s) -> {
      switch (f.kind) {
        case COUNTER -> sample(out, f.name + "_total", f.labelNames, values, null, s.value.sum());
        case GAUGE -> sample(out, f.name, f.labelNames, values, null, s.gauge);
        case HISTOGRAM -> {
          for (int i = 0; i < f.bounds.length; i++) {
            sample(out, f.name + "_bucket", f.labelNames, values, number(f.bounds[i]), s.buckets[i].sum());
          }
          sample(out, f.name + "_bucket", f.labelNames, values, "+Inf", s.value.sum());
          sample(out, f.name + "_count", f.labelNames, values, null, s.value.sum());
          sample(out, f.name + "_sum", f.labelNames, values, null, s.sum.sum());
        }
      }
    });
  }

  private static void sample(StringBuilder out, String name, List<String> names, List<String> values,
      String le, double value) {
    out.append(name);
    if (!names.isEmpty() || le != null) {
      out.append('{');
      for (int i = 0; i < names.size(); i++) {
        out.append(names.get(i)).append("=\"").append(escapeLabel(values.get(i))).append("\",");
      }
      if (le != null) {
        out.append("le=\"").append(le).append("\",");
      }
      out.setLength(out.length() - 1);
      out.append('}');
    }
    out.append(' ').append(number(value)).append('\n');
  }

  /**
   * A sample value or bucket bound as prometheus_client writes it: NaN, +Inf, -Inf, or the shortest
   * decimal without an exponent for bounds like 0.0005 (Java would write 5.0E-4), always with a
   * fraction ("2.0").
   */
  static String number(double value) {
    if (Double.isNaN(value)) {
      return "NaN";
    }
    if (Double.isInfinite(value)) {
      return value > 0 ? "+Inf" : "-Inf";
    }
    String text = Double.toString(value);
    if (text.contains("E") && Math.abs(value) < 1e15) {
      text = java.math.BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
      if (!text.contains(".")) {
        text += ".0";
      }
    }
    return text;
  }

  static String escapeLabel(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  static String escapeHelp(String value) {
    return value.replace("\\", "\\\\").replace("\n", "\\n");
  }
}
