# Prometheus metrics: the user's COUNTER/GAUGE/TIMER metrics and the feedback counters with the
# Python wrapper's names and labels (seldon_s2i.runtime.metrics; docs/reference/seldon-v1-protocol.md
# section 6), and the per-method request counters and latency histograms. No Prometheus client
# for R is packaged in Debian, so the text format (version 0.0.4) is written here.

METRIC_TYPES <- c("COUNTER", "GAUGE", "TIMER")
# seldon-core 1.17.1's TIMER bucket edges, as it exposes them (seldon_s2i.runtime.metrics.TIMER_BUCKET_LABELS).
TIMER_BUCKET_LABELS <- c(
  "0.001", "0.0012341553253454693", "0.0015231393670785815", "0.0018797905611233593",
  "0.0023199535315445415", "0.002863183005509725", "0.0035336125536884733", "0.004361026750842238",
  "0.005382184388525997", "0.006642451525090608", "0.008197816923039709", "0.010117379411776668",
  "0.012486417679584786", "0.015410178873747385", "0.019018554321561593", "0.02347185009632733",
  "0.028967908792092944", "0.03575089889988335", "0.04412216226317852", "0.05445360152285871",
  "0.06720420230367624", "0.0829404241586763", "0.10236136616184238", "0.12632982515827532",
  "0.15591062646904755", "0.19241792993472334", "0.2374736129208902", "0.2930793240153456",
  "0.3617054084821892", "0.44640065608455204", "0.5509277469444613", "0.6799304127720881",
  "0.8391397397870157", "1.035628778567157", "1.2781267721496807", "1.5774069623151439",
  "1.9467652027782552", "2.402610642206036", "2.965194718810281", "3.65951085290597", "4.516404807273444",
  "5.573945044312399", "6.879113959621136", "8.489895126924782", "10.477849282518772", "12.931293490187748",
  "15.959224724520412", "19.696162182151948", "24.30812344597087", "29.999999999999996"
)
REQUEST_BUCKET_LABELS <- c(
  "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5",
  "1.0", "2.5", "5.0", "10.0", "30.0"
)

#' A metrics registry: an environment of families, each with its samples by label set.
#'
#' @param identity the `identity` of `read_settings()`: the default labels' values.
#' @return an environment with `families` (name -> list(type, buckets, series)) and `fixed` labels.
new_registry <- function(identity) {
  registry <- new.env()
  registry$families <- list()
  registry$fixed <- c(
    deployment_name = identity$deployment, model_name = identity$unit_id,
    model_image = identity$image_name, model_version = identity$image_version,
    predictor_name = identity$predictor, predictor_version = identity$predictor_version,
    seldon_deployment_name = identity$deployment, image_name = identity$image_name,
    image_version = identity$image_version, worker_id = as.character(Sys.getpid())
  )
  registry
}

#' Check a list of user metrics: each a list with key (string), type (COUNTER, GAUGE or TIMER),
#' a numeric value and optional tags (a named list). Signals a 500 MICROSERVICE_BAD_METRIC.
validate_metrics <- function(metrics) {
  ok <- function(m) {
    is.list(m) && is.character(m$key) && length(m$key) == 1 && is.character(m$type) &&
      length(m$type) == 1 && m$type %in% METRIC_TYPES && is.numeric(m$value) && length(m$value) == 1 &&
      (is.null(m$tags) || is_object(m$tags) || length(m$tags) == 0)
  }
  if (!is.list(metrics) || !all(vapply(metrics, ok, TRUE))) {
    message <- paste("Bad metric created during request:", to_json(metrics))
    seldon_microservice_error(message, 500L, "MICROSERVICE_BAD_METRIC")
  }
  metrics
}

label_text <- function(labels) {
  labels <- labels[order(names(labels))]
  escaped <- gsub("\n", "\\n", gsub("\"", "\\\"", gsub("\\", "\\\\", labels, fixed = TRUE), fixed = TRUE), fixed = TRUE)
  paste0(names(labels), "=\"", escaped, "\"", collapse = ",")
}

# Add one sample. `id` identifies the label set within the family (default: its text); the
# request counters pass a cheaper one.
observe <- function(registry, name, type, labels, value, buckets = NULL, id = label_text(labels)) {
  family <- registry$families[[name]] %||%
    list(type = type, buckets = buckets, bounds = as.numeric(buckets), series = list())
  series <- family$series[[id]] %||%
    list(labels = labels, value = 0, counts = numeric(length(buckets)), sum = 0, count = 0)
  if (type == "counter") series$value <- series$value + value
  if (type == "gauge") series$value <- value
  if (type == "histogram") {
    series$counts <- series$counts + (value <= family$bounds)
    series$sum <- series$sum + value
    series$count <- series$count + 1
  }
  family$series[[id]] <- series
  registry$families[[name]] <- family
  invisible(NULL)
}

#' Record validated user metrics for one request method (predict, inputtransform, ...): COUNTER
#' adds, GAUGE sets, TIMER (milliseconds) is observed in seconds. The default labels win over the
#' user's tags of the same name.
record_metrics <- function(registry, metrics, method) {
  for (m in metrics) {
    tags <- unlist(lapply(m$tags %||% list(), as.character))
    labels <- c(tags[!(names(tags) %in% c(names(registry$fixed), "method"))], registry$fixed, method = method)
    switch(m$type,
      COUNTER = observe(registry, m$key, "counter", labels, as.numeric(m$value)),
      GAUGE = observe(registry, m$key, "gauge", labels, as.numeric(m$value)),
      TIMER = observe(registry, m$key, "histogram", labels, as.numeric(m$value) / 1000, TIMER_BUCKET_LABELS)
    )
  }
}

#' seldon-core's feedback counters (a reward below or at zero counts the feedback only).
record_feedback <- function(registry, reward) {
  samples <- list(list(type = "COUNTER", key = "seldon_api_model_feedback", value = 1))
  if (reward > 0) samples[[2]] <- list(type = "COUNTER", key = "seldon_api_model_feedback_reward", value = reward)
  record_metrics(registry, samples, "feedback")
}

#' Count one request: seldon_s2i_requests_total{method,transport,code} and
#' seldon_s2i_request_duration_seconds{method,transport} (seconds).
record_request <- function(registry, method, code, seconds) {
  labels <- c(method = method, transport = "rest")
  observe(registry, "seldon_s2i_requests", "counter", c(labels, code = as.character(code)), 1,
          id = paste(method, code))
  observe(registry, "seldon_s2i_request_duration_seconds", "histogram", labels, seconds, REQUEST_BUCKET_LABELS,
          id = method)
}

format_value <- function(x) {
  if (is.infinite(x)) return(if (x > 0) "+Inf" else "-Inf")
  if (x == round(x) && abs(x) < 1e15) return(sprintf("%.1f", x))
  format(x, digits = 17)
}

#' The registry in the Prometheus text format 0.0.4: counters as `<key>_total` (a key that already
#' ends in `_total` keeps one, as prometheus_client's Counter strips the suffix before adding it),
#' gauges as `<key>`, timers as histograms `<key>_bucket{le=...}`, `_sum` (seconds), `_count`.
#' @return one character string.
exposition <- function(registry) {
  lines <- character(0)
  for (key in sort(names(registry$families))) {
    family <- registry$families[[key]]
    name <- if (family$type == "counter") sub("_total$", "", key) else key
    exposed <- if (family$type == "counter") paste0(name, "_total") else name
    lines <- c(lines, sprintf("# HELP %s ", exposed), sprintf("# TYPE %s %s", exposed, family$type))
    for (series in family$series) {
      labels <- series$labels
      if (family$type == "counter") {
        lines <- c(lines, sprintf("%s_total{%s} %s", name, label_text(labels), format_value(series$value)))
      } else if (family$type == "gauge") {
        lines <- c(lines, sprintf("%s{%s} %s", name, label_text(labels), format_value(series$value)))
      } else {
        le <- c(family$buckets, "+Inf")
        counts <- c(series$counts, series$count)
        bucket_labels <- vapply(le, function(b) label_text(c(labels, le = b)), "")
        lines <- c(
          lines,
          sprintf("%s_bucket{%s} %s", name, bucket_labels, vapply(counts, format_value, "")),
          sprintf("%s_count{%s} %s", name, label_text(labels), format_value(series$count)),
          sprintf("%s_sum{%s} %s", name, label_text(labels), format_value(series$sum))
        )
      }
    }
  }
  if (length(lines) == 0) "" else paste0(paste(lines, collapse = "\n"), "\n")
}
