# The REST transport (httpuv): routes of the Python wrapper (docs/reference/seldon-v1-protocol.md
# section 2.1) over the component, the metrics endpoint on its own port, and the serving loop.
# R cannot catch SIGTERM, so the s2i run script does: it creates the file SELDON_STOP_FILE names,
# which the loop checks between requests (one R process answers one request at a time, so the
# request in progress is always answered first, then those already sent: drain()). SIGINT (Ctrl-C)
# stops it too.

# Every answer closes its connection, as seldon-core's sync worker does: httpuv sets no TCP_NODELAY and
# writes headers and body apart, so on a kept-alive connection each answer would wait for the client's
# delayed ACK (~40 ms: 20 requests/s on one connection instead of ~2000).
JSON_HEADERS <- list("Content-Type" = "application/json", "Access-Control-Allow-Origin" = "*", "Connection" = "close")

# path -> list(methods, handler(component, json) or handler(component), metrics label, json?)
route_table <- function() {
  message_route <- function(generic, label) function(component, json) serve_message(component, generic, label, json)
  both <- c("GET", "POST")
  predict <- list(methods = both, handler = message_route("predict", "predict"), label = "predict", json = TRUE)
  feedback <- list(methods = both, handler = serve_feedback, label = "feedback", json = TRUE)
  health <- list(methods = "GET", handler = serve_health, label = "health", json = FALSE)
  metadata <- list(methods = "GET", handler = function(component) component$metadata, label = "metadata", json = FALSE)
  post_only <- function(r) modifyList(r, list(methods = "POST"))
  list(
    "/predict" = predict,
    "/api/v1.0/predictions" = post_only(predict),
    "/api/v0.1/predictions" = post_only(predict),
    "/send-feedback" = feedback,
    "/api/v1.0/feedback" = post_only(feedback),
    "/api/v0.1/feedback" = post_only(feedback),
    "/transform-input" = list(
      methods = both, handler = message_route("transform_input", "inputtransform"),
      label = "inputtransform", json = TRUE
    ),
    "/transform-output" = list(
      methods = both, handler = message_route("transform_output", "outputtransform"),
      label = "outputtransform", json = TRUE
    ),
    "/route" = list(methods = both, handler = serve_route, label = "router", json = TRUE),
    "/aggregate" = list(methods = both, handler = serve_aggregate, label = "aggregate", json = TRUE),
    "/health/status" = health,
    "/api/v1.0/health/status" = health,
    "/metadata" = metadata,
    "/api/v1.0/metadata" = metadata
  )
}

json_response <- function(result) {
  body <- tryCatch(write_answer(result$body), error = function(e) NULL)
  if (is.null(body)) {
    message("ERROR: the answer cannot be written as JSON")
    result <- error_answer(seldon_error("the answer cannot be written as JSON", 500L, "MICROSERVICE_INTERNAL_ERROR"))
    body <- to_json(result$body)
  }
  list(status = result$status, headers = JSON_HEADERS, body = paste0(body, "\n"))
}

# CORS as flask-cors's defaults: the request's Origin is allowed, else any.
with_cors <- function(response, req) {
  response$headers[["Access-Control-Allow-Origin"]] <- req$HTTP_ORIGIN %||% "*"
  response
}

not_routed <- function(message) json_response(error_answer(seldon_error(message, 500L, "MICROSERVICE_INTERNAL_ERROR")))

#' The httpuv app of the REST port: every response is JSON (a Seldon status body for errors:
#' 4xx for bad input, 500 with R's message for an error in the user's code) except /health/ping.
rest_app <- function(component) {
  routes <- route_table()
  component$answered <- 0
  handle <- function(req) {
    path <- req$PATH_INFO
    method <- req$REQUEST_METHOD
    if (path == "/health/ping" && method %in% c("GET", "HEAD")) {
      return(list(status = 200L, headers = list("Content-Type" = "text/html; charset=utf-8", "Connection" = "close"),
                  body = "pong"))
    }
    route <- routes[[path]]
    if (method == "OPTIONS") {
      return(list(status = 200L, body = "", headers = list(
        "Access-Control-Allow-Origin" = req$HTTP_ORIGIN %||% "*",
        "Access-Control-Allow-Methods" = "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT",
        "Access-Control-Allow-Headers" = req$HTTP_ACCESS_CONTROL_REQUEST_HEADERS %||% "*",
        "Content-Type" = "text/html; charset=utf-8"
      )))
    }
    if (is.null(route) && path != "/health/ping") {
      return(not_routed(paste(
        "404 Not Found: The requested URL was not found on the server.",
        "If you entered the URL manually please check your spelling and try again."
      )))
    }
    effective <- if (method == "HEAD") "GET" else method
    if (is.null(route) || !(effective %in% route$methods)) {
      return(not_routed("405 Method Not Allowed: The method is not allowed for the requested URL."))
    }
    started <- unclass(Sys.time()) # seconds (a difftime's arithmetic costs ~70 us)
    result <- tryCatch(
      if (route$json) route$handler(component, request_json(req)) else route$handler(component),
      error = function(e) {
        if (!inherits(e, "seldon_microservice_error") || e$status_code >= 500) {
          message(sprintf("ERROR in %s %s: %s", method, path, conditionMessage(e)))
        }
        error_answer(e)
      }
    )
    record_request(component$registry, route$label, result$status, unclass(Sys.time()) - started)
    response <- json_response(result)
    if (method == "HEAD") response$body <- ""
    response
  }
  # A request is answered whole: an interrupt (shutdown) waits until it is done.
  safe <- function(req) {
    response <- tryCatch(handle(req), error = function(e) {
      message("ERROR: ", conditionMessage(e))
      json_response(error_answer(e))
    })
    component$answered <- component$answered + 1
    with_cors(response, req)
  }
  list(call = safe)
}

#' The httpuv app of the metrics port: GET <path> answers the Prometheus text format.
metrics_app <- function(component) {
  path <- component$settings$metrics_path
  list(call = function(req) metrics_response(component, path, req))
}


metrics_response <- function(component, path, req) {
  if (req$PATH_INFO == path && req$REQUEST_METHOD %in% c("GET", "HEAD")) {
    return(list(status = 200L, body = exposition(component$registry),
                headers = list("Content-Type" = "text/plain; version=0.0.4; charset=utf-8", "Connection" = "close")))
  }
  list(status = 404L, headers = list("Content-Type" = "text/plain"), body = "Not Found\n")
}

# httpuv 1.6 hands every request body to R through a new temporary file (AppWrapper$onBodyData) read
# back through an R6 InputStream (rookCall): ~140 us of R per request, more than the wrapper's own
# work for a tiny request. in_memory_bodies() replaces those two AppWrapper methods, before the
# servers start, with ones that keep the body's chunks in memory and give the app a `rook.input`
# whose read() returns them: the Rook request the app sees is otherwise the same (CONTENT_TYPE,
# CONTENT_LENGTH, rook.input$read()). Installed only when httpuv's AppWrapper has the methods and
# the internal invokeCppCallback this was written against (httpuv 1.6.x), else httpuv's own path serves.
in_memory_bodies <- function() {
  httpuv_ns <- asNamespace("httpuv")
  wrapper <- get0("AppWrapper", envir = httpuv_ns, inherits = FALSE)
  methods <- if (inherits(wrapper, "R6ClassGenerator")) wrapper$public_methods
  known <- is.function(get0("invokeCppCallback", envir = httpuv_ns, inherits = FALSE)) &&
    all(c("onBodyData", "call") %in% names(methods)) && !isTRUE(wrapper$lock_class)
  if (!known) return(FALSE)
  wrapper$set("public", "onBodyData", function(req, bytes) {
    req$.seldon_body <- c(req$.seldon_body, list(bytes))
  }, overwrite = TRUE)
  wrapper$set("public", "call", function(req, cpp_callback) {
    chunks <- req$.seldon_body
    req$.seldon_body <- NULL
    body <- if (length(chunks) == 1) chunks[[1]] else do.call(c, c(list(raw(0)), chunks))
    req$rook.input <- list(read = function(l = -1L) body) # the whole body (what the wrapper reads)
    if (!is.null(req$HTTP_CONTENT_TYPE)) req$CONTENT_TYPE <- req$HTTP_CONTENT_TYPE
    if (!is.null(req$HTTP_CONTENT_LENGTH)) req$CONTENT_LENGTH <- req$HTTP_CONTENT_LENGTH
    response <- tryCatch(private$app$call(req), error = function(e) { # as httpuv's rookCall answers it
      headers <- list("Content-Type" = "text/plain; charset=UTF-8")
      list(status = 500L, headers = headers, body = paste("ERROR:", conditionMessage(e)))
    })
    response$headers <- lapply(response$headers, paste)
    invokeCppCallback(response, cpp_callback) # R6 methods run in httpuv's namespace, where this is
    invisible()
  }, overwrite = TRUE)
  TRUE
}

# The speed-ups above and in codec.R/json.R lean on httpuv's and jsonlite's internals and fall back to
# their public (slower, same answers) paths when a Debian upgrade changes those: say so at start-up,
# one line, so that a fallback is seen (test_r_builder.py asserts the line is absent from our image).
report_slow_paths <- function(bodies_in_memory) {
  slow <- c(
    if (!bodies_in_memory) "request bodies through httpuv's temporary files",
    if (is.null(ESCAPE_CHARS) || is.null(NUM_TO_CHAR)) "JSON strings and numbers written in R",
    if (!PARSE_STRING_NATIVE) "JSON parsed through jsonlite::parse_json()"
  )
  if (length(slow) > 0) {
    cat(sprintf("---> WARNING: slower paths (httpuv %s, jsonlite %s): %s\n", utils::packageVersion("httpuv"),
                utils::packageVersion("jsonlite"), paste(slow, collapse = "; ")))
  }
  invisible(slow)
}

#' Serve REST on settings$http_port and metrics on settings$metrics_port until SELDON_STOP_FILE
#' exists or an interrupt (SIGINT) arrives.
#' @return invisibly, after both servers are stopped.
serve <- function(component) {
  settings <- component$settings
  listen <- function(port, app) {
    tryCatch(httpuv::startServer(settings$host, port, app), error = function(e) {
      stop(startup_error(sprintf(paste(
        "cannot listen on %s:%d (%s): is the port in use?",
        "Set PREDICTIVE_UNIT_HTTP_SERVICE_PORT / PREDICTIVE_UNIT_METRICS_SERVICE_PORT"
      ), settings$host, port, conditionMessage(e))))
    })
  }
  report_slow_paths(in_memory_bodies())
  rest <- listen(settings$http_port, rest_app(component))
  metrics <- listen(settings$metrics_port, metrics_app(component))
  cat(sprintf("---> Serving REST on %s:%d, metrics on :%d%s\n", settings$host, settings$http_port,
              settings$metrics_port, settings$metrics_path))
  stop_file <- Sys.getenv("SELDON_STOP_FILE")
  stopping <- function() nzchar(stop_file) && file.exists(stop_file)
  tryCatch(
    while (!stopping()) httpuv::service(250),
    interrupt = function(e) NULL
  )
  cat("---> Stopping: the requests already received are answered, then the ports close\n")
  drain(component)
  httpuv::stopServer(rest)
  httpuv::stopServer(metrics)
  cat("---> Stopped\n")
  invisible(NULL)
}

# After SIGTERM: keep answering until no request has come for DRAIN_QUIET_SECONDS (the requests
# clients sent before the stop, queued behind the one in progress, are answered, not dropped),
# at most DRAIN_MAX_SECONDS (under the operator's 10 s from SIGTERM to SIGKILL).
DRAIN_QUIET_SECONDS <- 0.5
DRAIN_MAX_SECONDS <- 8

drain <- function(component) {
  deadline <- Sys.time() + DRAIN_MAX_SECONDS
  answered <- component$answered
  quiet_since <- Sys.time()
  while (Sys.time() < deadline) {
    httpuv::service(50)
    if (component$answered != answered) {
      answered <- component$answered
      quiet_since <- Sys.time()
    } else if (as.numeric(Sys.time() - quiet_since, units = "secs") > DRAIN_QUIET_SECONDS) {
      break
    }
  }
}
