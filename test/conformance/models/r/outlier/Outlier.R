# Tags rows with a value above 100 in absolute value (models/python/outlier/Outlier.py).
initialise_seldon <- function(params) {
  state <- new.env()
  state$scores <- list()
  structure(list(state = state), class = "outlier")
}
transform_input.outlier <- function(obj, newdata = list()) {
  values <- as.matrix(newdata)
  obj$state$scores <- as.list(as.integer(apply(abs(values) > 100, 1, any)))
  newdata
}
tags.outlier <- function(obj) {
  list(outlierScore = I(unlist(obj$state$scores)), is_outlier = any(unlist(obj$state$scores) == 1))
}
