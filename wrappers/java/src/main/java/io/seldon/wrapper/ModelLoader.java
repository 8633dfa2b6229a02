package io.seldon.wrapper;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.seldon.wrapper.api.SeldonPredictionService;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Finds MODEL_NAME on the class path and makes the user's object, with PREDICTIVE_UNIT_PARAMETERS
 * (a JSON list of {@code {name, value, type}}, type INT, FLOAT, DOUBLE, STRING or BOOL) as a
 * {@code Map<String, Object>} of Integer, Double, String and Boolean values: given to a public
 * constructor taking a Map if there is one, else to {@code setParameters(Map)} after the public
 * no-argument constructor.
 */
public final class ModelLoader {
  private ModelLoader() {}

  /** A model that cannot be loaded: its message is the one-line cause and fix. */
  public static final class LoadError extends Exception {
    private static final long serialVersionUID = 1L;

    LoadError(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * The class named {@code name}, checked to implement SeldonPredictionService.
   *
   * @throws LoadError when it is missing or does not implement the interface
   */
  public static Class<? extends SeldonPredictionService> find(String name) throws LoadError {
    Class<?> cls;
    try {
      cls = Class.forName(name, false, Thread.currentThread().getContextClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      throw new LoadError("MODEL_NAME=" + name + ": no such class on the class path ("
          + e + "): give the fully qualified name, e.g. com.example.MyModel", e);
    }
    if (!SeldonPredictionService.class.isAssignableFrom(cls)) {
      throw new LoadError("MODEL_NAME=" + name + " does not implement io.seldon.wrapper.api.SeldonPredictionService:"
          + " declare `implements SeldonPredictionService`", null);
    }
    return cls.asSubclass(SeldonPredictionService.class);
  }

  /**
   * A new instance of the model with its parameters.
   *
   * @throws LoadError for bad parameters, a missing constructor or a constructor that throws
   */
  public static SeldonPredictionService create(String name, String parametersJson) throws LoadError {
    Class<? extends SeldonPredictionService> cls = find(name);
    Map<String, Object> parameters = parameters(parametersJson);
    try {
      try {
        Constructor<? extends SeldonPredictionService> withMap = cls.getConstructor(Map.class);
        return withMap.newInstance(parameters);
      } catch (NoSuchMethodException e) {
        SeldonPredictionService model = cls.getConstructor().newInstance();
        try {
          Method setter = cls.getMethod("setParameters", Map.class);
          setter.invoke(model, parameters);
        } catch (NoSuchMethodException absent) {
          // the model takes no parameters
        }
        return model;
      }
    } catch (NoSuchMethodException e) {
      throw new LoadError("MODEL_NAME=" + name + " has no public constructor taking no argument or a Map", e);
    } catch (InvocationTargetException e) {
      throw new LoadError("MODEL_NAME=" + name + ": its constructor failed: " + e.getCause(), e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new LoadError("MODEL_NAME=" + name + " cannot be instantiated: " + e, e);
    }
  }

  /**
   * PREDICTIVE_UNIT_PARAMETERS as name → typed value, in order.
   *
   * @throws LoadError for JSON that is not such a list, an unknown type or a value of the wrong type
   */
  public static Map<String, Object> parameters(String json) throws LoadError {
    Map<String, Object> out = new LinkedHashMap<>();
    JsonElement tree;
    try {
      tree = JsonParser.parseString(json == null || json.isBlank() ? "[]" : json);
    } catch (RuntimeException e) {
      throw new LoadError("PREDICTIVE_UNIT_PARAMETERS is not JSON: " + e.getMessage(), e);
    }
    if (!tree.isJsonArray()) {
      throw new LoadError("PREDICTIVE_UNIT_PARAMETERS must be a JSON list of {name, value, type}", null);
    }
    JsonArray list = tree.getAsJsonArray();
    for (JsonElement item : list) {
      if (!item.isJsonObject() || !item.getAsJsonObject().has("name") || !item.getAsJsonObject().has("value")) {
        throw new LoadError("PREDICTIVE_UNIT_PARAMETERS: each entry needs a name and a value: " + item, null);
      }
      JsonObject p = item.getAsJsonObject();
      String type = p.has("type") ? p.get("type").getAsString() : "STRING";
      String value = p.get("value").getAsString();
      try {
        out.put(p.get("name").getAsString(), switch (type) {
          case "INT" -> Integer.valueOf(value.strip());
          case "FLOAT", "DOUBLE" -> Double.valueOf(value.strip());
          case "BOOL" -> Boolean.valueOf(value.strip().equalsIgnoreCase("true") || value.strip().equals("1"));
          case "STRING" -> value;
          default -> throw new LoadError("PREDICTIVE_UNIT_PARAMETERS: " + p.get("name") + " has unknown type " + type
              + " (INT, FLOAT, DOUBLE, STRING or BOOL)", null);
        });
      } catch (NumberFormatException e) {
        throw new LoadError("PREDICTIVE_UNIT_PARAMETERS: " + p.get("name") + "=" + value + " is not a " + type, e);
      }
    }
    return out;
  }
}
