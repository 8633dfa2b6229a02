package io.seldon.wrapper.codec;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.seldon.wrapper.BadRequest;
import java.math.BigDecimal;

/**
 * The JSON wire format of the Seldon messages: protobuf's JSON mapping (protobuf-java-util
 * {@link JsonFormat}), with the Python wrapper's conventions on top.
 *
 * <ul>
 *   <li>Parsing: malformed JSON answers 400 "Can't find JSON in data" (the reference's message);
 *       JSON that is not the message answers 400 "Invalid JSON: ..."; unknown fields are ignored
 *       (a SeldonMessage) or refused (a Feedback), as the Python wrapper.
 *   <li>Printing: a SeldonMessage always has {@code meta} ({@code {}} when empty) and a {@code data}
 *       always has {@code names}; integral numbers inside {@code google.protobuf.Value} fields
 *       ({@code ndarray}, {@code jsonData}, {@code meta.tags}) print as integers, since protobuf
 *       keeps every such number as a double ({@code 1} instead of {@code 1.0}).
 * </ul>
 */
public final class JsonCodec {
  /** The reference's message for a body that is not JSON. */
  public static final String NO_JSON = "Can't find JSON in data";

  private static final JsonFormat.Parser LENIENT = JsonFormat.parser().ignoringUnknownFields();
  private static final JsonFormat.Parser STRICT = JsonFormat.parser();
  private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();

  private JsonCodec() {}

  /**
   * Parse JSON text into {@code builder}.
   *
   * @param strict refuse unknown fields
   * @throws BadRequest 400 when the text is not JSON or not that message
   */
  public static <B extends Message.Builder> B parse(String text, B builder, boolean strict) {
    JsonElement tree = tree(text);
    if (tree.isJsonNull()) {
      throw new BadRequest(NO_JSON);
    }
    try {
      (strict ? STRICT : LENIENT).merge(text, builder);
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      throw new BadRequest("Invalid JSON: " + e.getMessage());
    }
    return builder;
  }

  /**
   * The JSON tree of {@code text}.
   *
   * @throws BadRequest 400 "Can't find JSON in data" when it is not JSON
   */
  public static JsonElement tree(String text) {
    try {
      JsonElement tree = JsonParser.parseString(text);
      if (tree == null) {
        throw new BadRequest(NO_JSON);
      }
      return tree;
    } catch (JsonParseException | StackOverflowError e) {
      throw new BadRequest(NO_JSON);
    }
  }

  /** The JSON text of a SeldonMessage, with the conventions above. */
  public static String printMessage(Message message) {
    JsonObject out = JsonParser.parseString(printRaw(message)).getAsJsonObject();
    if (out.has("data") && out.get("data").isJsonObject()) {
      JsonObject data = out.getAsJsonObject("data");
      if (!data.has("names")) {
        JsonObject withNames = new JsonObject();
        withNames.add("names", new JsonArray());
        data.entrySet().forEach(e -> withNames.add(e.getKey(), e.getValue()));
        out.add("data", withNames);
        data = withNames;
      }
      integral(data, "ndarray");
    }
    integral(out, "jsonData");
    if (!out.has("meta")) {
      out.add("meta", new JsonObject());
    } else {
      JsonObject meta = out.getAsJsonObject("meta");
      integral(meta, "tags");
      if (meta.has("metrics")) {
        for (JsonElement metric : meta.getAsJsonArray("metrics")) {
          JsonObject m = metric.getAsJsonObject();
          if (!m.has("type")) {
            m.addProperty("type", "COUNTER"); // the enum's default, which protobuf's JSON leaves out
          }
          if (!m.has("value")) {
            m.addProperty("value", 0);
          }
          integral(m, "value");
        }
      }
    }
    return out.toString();
  }

  /** Protobuf's own JSON text of any message (compact). */
  public static String printRaw(Message message) {
    try {
      return PRINTER.print(message);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("cannot print " + message.getDescriptorForType().getName(), e);
    }
  }

  private static void integral(JsonObject parent, String key) {
    if (parent.has(key)) {
      parent.add(key, integral(parent.get(key)));
    }
  }

  /** A copy of {@code element} whose integral numbers (up to 2^53) have no fraction. */
  static JsonElement integral(JsonElement element) {
    if (element.isJsonArray()) {
      JsonArray copy = new JsonArray();
      element.getAsJsonArray().forEach(e -> copy.add(integral(e)));
      return copy;
    }
    if (element.isJsonObject()) {
      JsonObject copy = new JsonObject();
      element.getAsJsonObject().entrySet().forEach(e -> copy.add(e.getKey(), integral(e.getValue())));
      return copy;
    }
    if (element.isJsonPrimitive() && element.getAsJsonPrimitive().isNumber()) {
      double value = element.getAsDouble();
      if (value == Math.rint(value) && Math.abs(value) <= 9007199254740992.0 && !isNegativeZero(value)) {
        return new JsonPrimitive(new BigDecimal((long) value));
      }
    }
    return element;
  }

  private static boolean isNegativeZero(double value) {
    return value == 0.0 && Double.doubleToRawLongBits(value) != 0L;
  }
}
