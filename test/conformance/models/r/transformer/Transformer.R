# Upper-cases a string, multiplies numbers by 10 (models/python/transformer/Transformer.py).
initialise_seldon <- function(params) structure(list(), class = "transformer")
transform_input.transformer <- function(obj, newdata = list()) {
  if (is.character(newdata)) toupper(newdata) else newdata * 10L
}
