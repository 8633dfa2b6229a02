# Adds 1, tags its output (models/python/output_transformer/OutputTransformer.py).
initialise_seldon <- function(params) structure(list(), class = "output_transformer")
transform_output.output_transformer <- function(obj, newdata = list()) newdata + 1L
tags.output_transformer <- function(obj) list(output = "transformed")
