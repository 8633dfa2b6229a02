# The Seldon Core microservice for an R model (seldon-s2i's R wrapper).
#
#   Rscript microservice.R MODEL_FILE [--service-type TYPE] [--persistence N]   serve the model
#   Rscript microservice.R --check MODEL_FILE                                   source it and check it
#
# MODEL_FILE (MODEL_NAME, e.g. MyModel.R) defines initialise_seldon(params) and S3 methods on the
# class of the object it returns (see R/component.R). Code map: R/settings.R (environment, read
# once), R/errors.R (Seldon status errors), R/json.R (the answers' JSON writer), R/codec.R (JSON <-> R
# values), R/component.R (the call of the user's code), R/metrics.R (Prometheus), R/server.R (httpuv:
# REST and metrics ports, shutdown).
# Every failure before serving is one line "ERROR: <cause>" and exit status 1.

local({
  file_arg <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  here <- dirname(normalizePath(sub("^--file=", "", file_arg[1])))
  for (file in c("errors.R", "settings.R", "json.R", "codec.R", "metrics.R", "component.R", "server.R")) {
    sys.source(file.path(here, "R", file), envir = globalenv())
  }
})

fail <- function(...) {
  cat("ERROR: ", ..., "\n", sep = "", file = stderr())
  quit(status = 1, save = "no")
}

parse_args <- function(args) {
  options <- list(check = FALSE, model = NULL, service_type = "MODEL")
  i <- 1
  while (i <= length(args)) {
    arg <- args[i]
    if (arg == "--check") {
      options$check <- TRUE
    } else if (arg %in% c("--service-type", "--service", "--persistence", "--api", "--model")) {
      if (i == length(args)) fail(arg, " needs a value")
      if (arg %in% c("--service-type", "--service")) options$service_type <- args[i + 1]
      if (arg == "--model") options$model <- args[i + 1]
      i <- i + 1
    } else if (is.null(options$model)) {
      options$model <- arg
    } else {
      fail("unexpected argument ", arg, " (usage: microservice.R MODEL_FILE [--service-type TYPE])")
    }
    i <- i + 1
  }
  if (is.null(options$model)) fail("no model file: usage microservice.R MODEL_FILE [--service-type TYPE]")
  options
}

# Source the model file into the global environment (where S3 dispatch finds its methods).
load_model <- function(model) {
  if (!file.exists(model)) {
    fail("MODEL_NAME=", model, ": no such file in ", getwd(), " (MODEL_NAME names the R file, e.g. MyModel.R)")
  }
  tryCatch(sys.source(model, envir = globalenv(), keep.source = FALSE),
    error = function(e) fail("MODEL_NAME=", model, " does not load: ", conditionMessage(e))
  )
  if (!is.function(get0("initialise_seldon", envir = globalenv()))) {
    fail("MODEL_NAME=", model, " defines no function initialise_seldon(params): add one that returns your model object")
  }
}

main <- function() {
  options <- parse_args(commandArgs(trailingOnly = TRUE))
  load_model(options$model)
  if (options$check) {
    cat("---> ", options$model, " loads and defines initialise_seldon\n", sep = "")
    return(invisible(NULL))
  }
  settings <- tryCatch(read_settings(), seldon_startup_error = function(e) fail(conditionMessage(e)))
  object <- tryCatch(initialise_seldon(settings$parameters),
    error = function(e) fail("initialise_seldon failed: ", conditionMessage(e))
  )
  component <- new_component(object, settings)
  classes <- paste(class(object), collapse = "/")
  cat(sprintf("---> %s loaded (SERVICE_TYPE=%s, class %s)\n", options$model, options$service_type, classes))
  tryCatch(serve(component), seldon_startup_error = function(e) fail(conditionMessage(e)))
}

main()
