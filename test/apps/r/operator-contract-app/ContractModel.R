# The operator-contract test app (test/integration/test_operator_contract.py), R's version of
# test/apps/operator-contract-app/ContractModel.py: one class plays both graph roles. As a
# TRANSFORMER it adds the parameter `offset` (default 0) to every value, as a MODEL it multiplies
# every value by `scale` (default 2). A request whose names are "slow" takes SLOW_SECONDS (to be in
# flight when the container is stopped). Every call tags the answer with the parameter `tag`
# (default "unit") and counts itself in the COUNTER contract_calls_total.
SLOW_SECONDS <- 1.5

initialise_seldon <- function(params) {
  structure(list(
    offset = as.numeric(params$offset %||% 0),
    scale = as.numeric(params$scale %||% 2),
    tag = as.character(params$tag %||% "unit")
  ), class = "contract_model")
}

slow_if_asked <- function(newdata) {
  if (identical(names(newdata), "slow")) Sys.sleep(SLOW_SECONDS)
}

transform_input.contract_model <- function(obj, newdata = list()) {
  slow_if_asked(newdata)
  unname(as.matrix(newdata)) + obj$offset
}

predict.contract_model <- function(obj, newdata = list()) {
  slow_if_asked(newdata)
  unname(as.matrix(newdata)) * obj$scale
}

tags.contract_model <- function(obj) stats::setNames(list("called"), obj$tag)

metrics.contract_model <- function(obj) list(list(type = "COUNTER", key = "contract_calls_total", value = 1))
