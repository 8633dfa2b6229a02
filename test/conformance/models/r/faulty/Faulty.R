# Fails as strData says (models/python/faulty/Faulty.py).
initialise_seldon <- function(params) structure(list(), class = "faulty")
predict.faulty <- function(obj, newdata = list()) {
  if (identical(newdata, "seldon-418")) seldon_microservice_error("I am a teapot", 418, "TEAPOT")
  if (identical(newdata, "seldon-default")) seldon_microservice_error("bad input here")
  if (identical(newdata, "plain")) stop("plain failure")
  if (identical(newdata, "none")) return(NULL)
  if (identical(newdata, "tuple")) return(function() 1)
  if (identical(newdata, "scalar")) return(NULL)
  if (identical(newdata, "key")) return(get("missing", envir = list2env(list(a = 1)), inherits = FALSE))
  newdata
}
transform_input.faulty <- function(obj, newdata = list()) stop("transform failed")
