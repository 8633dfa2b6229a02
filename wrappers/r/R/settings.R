# Settings, read once at start-up from the environment (the names seldon-core 1.17.1 and the
# Seldon operator use; docs/reference/seldon-v1-protocol.md section 1.2).

#' The settings of one microservice process.
#'
#' @param env a named character vector of environment variables (default: this process's).
#' @return a list: http_port, metrics_port (integers), metrics_path, host, parameters (a named
#'   list of typed values), identity (deployment, unit_id, image_name, image_version, predictor,
#'   predictor_version), include_metrics (logical), model_metadata (a list or NULL).
#'   Signals a `seldon_startup_error` condition for a bad port or parameter.
#' Ports follow the Python wrapper's rule (seldon_s2i.runtime.settings.resolve_ports): an explicit
#' PREDICTIVE_UNIT_HTTP_SERVICE_PORT wins, then the legacy PREDICTIVE_UNIT_SERVICE_PORT the original
#' R wrapper read; else REST (the only API) on 5000. Metrics: PREDICTIVE_UNIT_METRICS_SERVICE_PORT
#' (6000) at PREDICTIVE_UNIT_METRICS_ENDPOINT (/metrics).
read_settings <- function(env = Sys.getenv()) {
  get <- function(name, default = "") {
    value <- if (name %in% names(env)) as.character(env[[name]]) else ""
    if (length(value) != 1 || is.na(value) || !nzchar(value)) default else value
  }
  image <- get("PREDICTIVE_UNIT_IMAGE", "NOT_IMPLEMENTED:NOT_IMPLEMENTED")
  colon <- regexpr(":[^:]*$", image)
  labels <- tryCatch(jsonlite::parse_json(get("PREDICTOR_LABELS", "{}")), error = function(e) list())
  http <- get("PREDICTIVE_UNIT_HTTP_SERVICE_PORT", get("PREDICTIVE_UNIT_SERVICE_PORT", "5000"))
  list(
    http_port = parse_port("PREDICTIVE_UNIT_HTTP_SERVICE_PORT", http),
    metrics_port = parse_port(
      "PREDICTIVE_UNIT_METRICS_SERVICE_PORT", get("PREDICTIVE_UNIT_METRICS_SERVICE_PORT", "6000")
    ),
    metrics_path = get("PREDICTIVE_UNIT_METRICS_ENDPOINT", "/metrics"),
    host = get("SELDON_S2I_HOST", "0.0.0.0"),
    parameters = parse_parameters(get("PREDICTIVE_UNIT_PARAMETERS", "[]")),
    include_metrics = get("INCLUDE_METRICS_IN_CLIENT_RESPONSE", "true") == "true",
    unit_id_set = nzchar(get("PREDICTIVE_UNIT_ID")),
    identity = list(
      deployment = get("SELDON_DEPLOYMENT_ID", "NOT_IMPLEMENTED"),
      unit_id = get("PREDICTIVE_UNIT_ID", "NOT_IMPLEMENTED"),
      image = image,
      image_name = if (colon > 0) substr(image, 1, colon - 1) else image,
      image_version = if (colon > 0) substr(image, colon + 1, nchar(image)) else "",
      predictor = get("PREDICTOR_ID", "NOT_IMPLEMENTED"),
      predictor_version = if (is.list(labels) && !is.null(labels$version)) {
        as.character(labels$version)
      } else {
        "NOT_IMPLEMENTED"
      }
    ),
    image_set = nzchar(get("PREDICTIVE_UNIT_IMAGE")),
    model_metadata = get("MODEL_METADATA")
  )
}

startup_error <- function(message) {
  structure(class = c("seldon_startup_error", "error", "condition"), list(message = message, call = NULL))
}

parse_port <- function(name, value) {
  if (!grepl("^[0-9]+$", value) || as.integer(value) < 1 || as.integer(value) > 65535) {
    stop(startup_error(sprintf("%s=%s is not a port number (1-65535)", name, value)))
  }
  as.integer(value)
}

# PREDICTIVE_UNIT_PARAMETERS: a JSON list of {name, value, type}; the types and messages of
# seldon-core 1.17.1's microservice.parse_parameters.
parse_parameters <- function(text) {
  items <- tryCatch(jsonlite::parse_json(text), error = function(e) {
    stop(startup_error(paste("PREDICTIVE_UNIT_PARAMETERS is not JSON:", conditionMessage(e))))
  })
  params <- list()
  for (item in items) {
    name <- as.character(item$name)
    value <- as.character(item$value)
    type <- as.character(if (is.null(item$type)) "" else item$type)
    params[[name]] <- convert_parameter(name, value, type)
  }
  params
}

convert_parameter <- function(name, value, type) {
  bad <- function() {
    stop(startup_error(sprintf("Bad model parameter: %s with value %s can't be parsed as a %s", name, value, type)))
  }
  switch(type,
    INT = if (grepl("^[[:space:]]*[+-]?[0-9]+[[:space:]]*$", value)) as.integer(value) else bad(),
    FLOAT = ,
    DOUBLE = {
      number <- suppressWarnings(as.numeric(value))
      if (is.na(number)) bad() else number
    },
    STRING = value,
    BOOL = {
      lower <- tolower(value)
      if (lower %in% c("y", "yes", "t", "true", "on", "1")) TRUE
      else if (lower %in% c("n", "no", "f", "false", "off", "0")) FALSE
      else bad()
    },
    stop(startup_error(sprintf("Bad model parameter type: %s valid are INT, FLOAT, DOUBLE, STRING, BOOL", type)))
  )
}
