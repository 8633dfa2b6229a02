# Metadata with a non-string custom value (models/python/bad_metadata/BadMetadata.py).
initialise_seldon <- function(params) structure(list(), class = "bad_metadata")
predict.bad_metadata <- function(obj, newdata = list()) newdata
init_metadata.bad_metadata <- function(obj) list(name = "bad", custom = list(n = 1L))
