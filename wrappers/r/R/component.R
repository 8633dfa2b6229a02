# The transport-neutral call of the user's code: one function per Seldon method, taking parsed
# JSON and returning list(status, body). The user's contract is the original R wrapper's
# (seldon-core 1.17.1 incubating/wrappers/s2i/R): `initialise_seldon(params)` returns an S3 object,
# and the methods `predict`, `transform_input`, `transform_output`, `route`, `send_feedback` are
# S3 methods on its class; added here: `aggregate` (COMBINER), `tags`, `metrics`,
# `health_status` and `init_metadata`, all optional.

#' Find the user's S3 method `generic.<class>` for the object (NULL when it has none). Looked up
#' once per object class and generic: the model file is sourced before serving and not again.
user_method <- function(object, generic) {
  key <- paste(c(generic, class(object)), collapse = ".")
  if (exists(key, envir = method_cache, inherits = FALSE)) return(method_cache[[key]])
  found <- NULL
  for (cls in class(object)) {
    found <- get0(paste0(generic, ".", cls), envir = globalenv(), mode = "function", inherits = TRUE)
    if (!is.null(found)) break
  }
  assign(key, found, envir = method_cache)
  found
}

method_cache <- new.env()

# Call f(object, ...) passing only the named arguments f declares (all of them when it has `...`).
call_user <- function(f, object, args) {
  formals_names <- names(formals(f))
  if (!("..." %in% formals_names)) args <- args[names(args) %in% formals_names]
  do.call(f, c(list(object), args))
}

#' The component: the user's object plus the settings and metrics registry.
#' @return an environment with object, settings, registry, metadata (list or an error answer).
new_component <- function(object, settings) {
  component <- new.env()
  component$object <- object
  component$settings <- settings
  component$registry <- new_registry(settings$identity)
  component$metadata <- compute_metadata(object, settings)
  component$plain_meta <- is.null(user_method(object, "tags")) && is.null(user_method(object, "metrics"))
  component$unit_path <- unit_request_path(settings)
  component
}

# This unit's entry of meta.requestPath (section 3.5): unit id -> image, when the operator set the id.
unit_request_path <- function(settings) {
  identity <- settings$identity
  if (settings$unit_id_set) stats::setNames(list(identity$image), identity$unit_id) else list()
}

# The model's own tags and metrics (validated and recorded under `method`).
model_tags <- function(component) {
  f <- user_method(component$object, "tags")
  if (is.null(f)) list() else as.list(f(component$object))
}

model_metrics <- function(component, method) {
  f <- user_method(component$object, "metrics")
  if (is.null(f)) return(list())
  metrics <- validate_metrics(f(component$object))
  record_metrics(component$registry, metrics, method)
  metrics
}

with_method_tag <- function(metrics, method) {
  lapply(metrics, function(m) {
    if (!is.null(m$tags)) m$tags[["method"]] <- method
    m
  })
}

merge_named <- function(a, b) {
  for (name in names(b)) a[[name]] <- b[[name]]
  a
}

# The response meta (section 3.5): puid, tags (request, then model), metrics (request, then the
# model's), requestPath (this unit, then the request's).
response_meta <- function(component, request_meta, method, merge_request = TRUE) {
  meta <- structure(list(), names = character(0))
  if (length(request_meta) == 0 && component$plain_meta) { # the common case, answered without merging
    if (length(component$unit_path) > 0) meta$requestPath <- component$unit_path
    return(meta)
  }
  settings <- component$settings
  request_meta <- if (is_object(request_meta)) request_meta else list()
  if (is.character(request_meta$puid) && nzchar(request_meta$puid)) meta$puid <- request_meta$puid
  request_tags <- if (merge_request && is_object(request_meta$tags)) request_meta$tags else list()
  tags <- merge_named(request_tags, model_tags(component))
  if (length(tags) > 0) meta$tags <- tags
  incoming <- if (merge_request && is.list(request_meta$metrics)) request_meta$metrics else list()
  ours <- model_metrics(component, method)
  metrics <- c(incoming, if (settings$include_metrics) with_method_tag(ours, method) else list())
  if (length(metrics) > 0) meta$metrics <- metrics
  path <- component$unit_path
  if (is_object(request_meta$requestPath)) path <- merge_named(path, request_meta$requestPath)
  if (length(path) > 0) meta$requestPath <- path
  meta
}

answer <- function(payload, meta) list(status = 200L, body = c(payload, list(meta = meta)))

# predict / transform-input / transform-output: the user's method, or the default (predict: an
# empty array; the transforms: the input unchanged).
#' Serve one predict-like call.
#' @param generic "predict", "transform_input" or "transform_output".
#' @param method the metrics label: predict, inputtransform or outputtransform.
#' @param json the parsed request (a SeldonMessage). @return list(status, body).
serve_message <- function(component, generic, method, json) {
  message <- decode_message(json)
  f <- user_method(component$object, generic)
  out <- if (!is.null(f)) {
    call_user(f, component$object, list(newdata = message$x, meta = message$meta))
  } else if (generic == "predict") {
    numeric(0)
  } else {
    message$x
  }
  payload <- encode_payload(out, if (is.null(f) && generic == "predict") "ndarray" else message$kind)
  answer(payload, response_meta(component, message$meta, method))
}

serve_route <- function(component, json) {
  message <- decode_message(json)
  f <- user_method(component$object, "route")
  if (is.null(f)) bad_data("Route not defined")
  route <- call_user(f, component$object, list(data = message$x, newdata = message$x, meta = message$meta))
  if (!is.numeric(route) || length(route) != 1 || is.na(route) || route != round(route)) {
    bad_data(paste("Routing response must be a whole number but got", to_json(route)))
  }
  payload <- encode_payload(matrix(as.integer(route), 1, 1), message$kind)
  answer(payload, response_meta(component, message$meta, "router", merge_request = FALSE))
}

serve_aggregate <- function(component, json) {
  messages <- if (is_object(json) && "seldonMessages" %in% names(json)) json$seldonMessages else json
  if (!is.list(messages) || is_object(messages)) bad_data(paste("Invalid request data type:", to_json(json)))
  if (length(messages) == 0) bad_data("Invalid request data type: an empty list of messages")
  decoded <- lapply(messages, decode_message)
  f <- user_method(component$object, "aggregate")
  if (is.null(f)) bad_data("Aggregate not defined")
  out <- call_user(f, component$object, list(newdata = lapply(decoded, `[[`, "x")))
  first <- decoded[[1]]$meta
  merged <- list(puid = if (is_object(first)) first$puid, tags = list(), metrics = list(), requestPath = list())
  for (m in decoded) {
    meta <- if (is_object(m$meta)) m$meta else list()
    if (is_object(meta$tags)) merged$tags <- merge_named(merged$tags, meta$tags)
    if (is.list(meta$metrics)) merged$metrics <- c(merged$metrics, meta$metrics)
    if (is_object(meta$requestPath)) merged$requestPath <- merge_named(merged$requestPath, meta$requestPath)
  }
  answer(encode_payload(out, decoded[[1]]$kind), response_meta(component, merged, "aggregate"))
}

FEEDBACK_FIELDS <- c("request", "response", "reward", "truth")

serve_feedback <- function(component, json) {
  if (!is_object(json) && !(is.list(json) && length(json) == 0)) {
    bad_data(paste("Invalid JSON: a Feedback must be an object, not", to_json(json)))
  }
  unknown <- names(json)[!(names(json) %in% FEEDBACK_FIELDS)]
  if (length(unknown) > 0) bad_data(sprintf("Invalid JSON: a Feedback has no field named %s", unknown[1]))
  reward <- json$reward %||% 0
  if (!is.numeric(reward) || length(reward) != 1) bad_data("Invalid JSON: Feedback.reward must be a number")
  request <- decode_message(json$request %||% list(), feedback_part = TRUE)
  truth <- decode_message(json$truth %||% list(), feedback_part = TRUE)
  routing <- NULL
  response_meta_in <- if (is_object(json$response)) json$response$meta
  if (is_object(response_meta_in) && is_object(response_meta_in$routing)) {
    routing <- response_meta_in$routing[[component$settings$identity$unit_id]]
  }
  f <- user_method(component$object, "send_feedback")
  if (reward != 0) record_feedback(component$registry, as.numeric(reward))
  if (is.null(f)) { # the Python wrapper's answers without a send_feedback method
    data <- if (request$kind == "none") list(tensor = list(shape = I(0L))) else list(ndarray = I(list()))
    return(answer(list(data = data), response_meta(component, NULL, "feedback", merge_request = FALSE)))
  }
  out <- call_user(f, component$object, list(
    request = request$x, reward = as.numeric(reward), truth = truth$x, routing = routing
  ))
  if (is.null(out)) out <- numeric(0)
  kind <- if (request$kind == "none") "none" else "ndarray"
  answer(encode_payload(out, kind), response_meta(component, NULL, "feedback", merge_request = FALSE))
}

serve_health <- function(component) {
  f <- user_method(component$object, "health_status")
  payload <- if (is.null(f)) list(strData = "healthy") else encode_payload(f(component$object), "none")
  answer(payload, response_meta(component, NULL, "health", merge_request = FALSE))
}

METADATA_KEYS <- c("name", "versions", "platform", "inputs", "outputs", "custom")

# Metadata (section 3.5), computed once: the image's name and tag, overlaid by the user's
# init_metadata() and then MODEL_METADATA (JSON); invalid metadata answers 500 on every call.
compute_metadata <- function(object, settings) {
  identity <- settings$identity
  metadata <- list(
    name = if (settings$image_set) identity$image_name else "",
    versions = I(if (settings$image_set) identity$image_version else ""),
    platform = "", inputs = I(list()), outputs = I(list()),
    custom = structure(list(), names = character(0))
  )
  f <- user_method(object, "init_metadata")
  if (!is.null(f)) {
    ours <- tryCatch(f(object), error = function(e) NULL)
    if (is_object(ours)) metadata <- merge_named(metadata, ours)
  }
  if (nzchar(settings$model_metadata)) {
    env <- tryCatch(jsonlite::parse_json(settings$model_metadata), error = function(e) NULL)
    if (is_object(env)) metadata <- merge_named(metadata, env)
  }
  is_string <- function(v) is.character(v) && length(v) == 1
  custom <- metadata$custom
  valid <- all(names(metadata) %in% METADATA_KEYS) &&
    (length(custom) == 0 || (is_object(custom) && all(vapply(custom, is_string, TRUE))))
  if (!valid) {
    return(error_answer(seldon_error("Model metadata unavailable", 500L, "MICROSERVICE_BAD_METADATA")))
  }
  list(status = 200L, body = metadata)
}
