# Metadata from init_metadata, overlaid by MODEL_METADATA (models/python/metadata/MetadataModel.py).
initialise_seldon <- function(params) structure(list(), class = "metadata_model")
predict.metadata_model <- function(obj, newdata = list()) newdata
init_metadata.metadata_model <- function(obj) {
  list(
    name = "from-init", versions = I("v-init"), platform = "seldon",
    inputs = list(list(messagetype = "tensor", schema = list(names = I(c("a", "b")), shape = I(2L)))),
    outputs = list(list(name = "out", datatype = "FP32", shape = I(c(1L, 2L)))),
    custom = list(author = "compat")
  )
}
