# Errors that answer with a Seldon status body (docs/reference/seldon-v1-protocol.md section 3.6).

#' Signal an error the wrapper answers with `status_code` and a Seldon status body.
#'
#' The user-facing helper of the original R wrapper: call it from model code to reject a request,
#' e.g. `seldon_microservice_error("age must be positive", 422)`.
#' @param message the `status.info` text.
#' @param status_code the HTTP status (default 400).
#' @param reason the `status.reason` (default MICROSERVICE_BAD_DATA).
#' @return never returns: signals a condition of class `seldon_microservice_error`.
seldon_microservice_error <- function(message, status_code = 400L, reason = "MICROSERVICE_BAD_DATA") {
  stop(seldon_error(message, status_code, reason))
}

# The condition seldon_microservice_error() signals.
seldon_error <- function(message, status_code, reason) {
  structure(
    class = c("seldon_microservice_error", "error", "condition"),
    list(message = as.character(message), call = NULL, status_code = as.integer(status_code), reason = reason)
  )
}

bad_data <- function(message) seldon_microservice_error(message, 400L, "MICROSERVICE_BAD_DATA")

# The Seldon status body of an error: list(status = <HTTP status>, body = <list>).
error_answer <- function(condition) {
  if (inherits(condition, "seldon_microservice_error")) {
    code <- condition$status_code
    reason <- condition$reason
  } else {
    code <- 500L
    reason <- "MICROSERVICE_INTERNAL_ERROR"
  }
  list(status = code, body = list(status = list(
    code = -1L, info = conditionMessage(condition), reason = reason, status = 1L
  )))
}
