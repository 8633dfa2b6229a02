# Returns its typed parameters as [type, value] (models/python/params/Params.py; R's type names
# mapped to Python's).
initialise_seldon <- function(params) {
  type_name <- c(integer = "int", double = "float", character = "str", logical = "bool")
  described <- lapply(params, function(v) list(type_name[[typeof(v)]], v))
  structure(list(params = described), class = "params")
}
predict.params <- function(obj, newdata = list()) obj$params
