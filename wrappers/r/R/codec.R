# The Seldon v1 JSON codec: HTTP request -> JSON value, SeldonMessage payload <-> R value, R value
# -> SeldonMessage payload (docs/reference/seldon-v1-protocol.md sections 2.2, 3.2-3.4).
#
# What the user's functions get (`newdata`), by request payload:
#   data.ndarray  2-D: a data.frame (a column per feature, each column typed on its own; named by
#                 data.names, else t:0, t:1, ...); 1-D: an atomic vector; deeper: an array
#   data.tensor   shape of 2: a data.frame as above; 1: a vector; more: an array (row-major values)
#   jsonData      the parsed JSON (objects as named lists, arrays as lists; exact round trip)
#   strData       a character string;  binData  a raw vector
# What they may return: a data.frame, matrix or array (names: its column names, else t:0, ...),
# an atomic vector or factor (1-D), a named list (jsonData), an unnamed list (an array), a
# character string (strData), a raw vector (binData).

# --- HTTP -> JSON -----------------------------------------------------------------------------

parse_urlencoded <- function(text) {
  if (is.null(text) || !nzchar(text)) return(list())
  pairs <- strsplit(strsplit(text, "&", fixed = TRUE)[[1]], "=", fixed = TRUE)
  decode <- function(s) httpuv::decodeURIComponent(gsub("+", " ", s, fixed = TRUE))
  values <- lapply(pairs, function(p) if (length(p) > 1) decode(paste(p[-1], collapse = "=")) else "")
  names(values) <- vapply(pairs, function(p) decode(p[1]), "")
  values
}

# jsonlite's parser (YAJL) without the R code around it: jsonlite::parse_json() first asks
# methods::is(text, "connection"), ~40 us of a tiny request's time; its internal parse_string() is the
# same C parser on a string. Taken from jsonlite's namespace once, with parse_json() as the fallback
# should a jsonlite version not have it.
PARSE_STRING_NATIVE <- is.function(get0("parse_string", envir = asNamespace("jsonlite"), inherits = FALSE))
parse_json_string <- local({
  parse_string <- get0("parse_string", envir = asNamespace("jsonlite"), mode = "function", inherits = FALSE)
  if (is.null(parse_string)) {
    function(text) jsonlite::parse_json(text, simplifyVector = FALSE)
  } else {
    function(text) parse_string(text, FALSE)
  }
})

parse_json_text <- function(text, what) {
  tryCatch(parse_json_string(text),
    error = function(e) bad_data(sprintf("%s is not valid JSON: %s", what, conditionMessage(e)))
  )
}

#' The JSON payload of an HTTP request, as the Python wrapper finds it (section 2.2): a form field
#' `json=`, else a query parameter `json=`, else a JSON body (Content-Type application/json).
#'
#' @param req the httpuv (Rook) request environment.
#' @return the parsed JSON (lists, scalars; NULL never: a missing payload is a 400).
#' Signals `seldon_microservice_error` 400 for no JSON, bad JSON or a multipart body.
request_json <- function(req) {
  content_type <- tolower(req$HTTP_CONTENT_TYPE %||% req$CONTENT_TYPE %||% "")
  body <- if (is.null(req$rook.input)) raw(0) else req$rook.input$read()
  if (startsWith(content_type, "multipart/form-data")) {
    bad_data("multipart/form-data is not supported by the R wrapper: send JSON, or a form or query field json=")
  }
  is_form <- startsWith(content_type, "application/x-www-form-urlencoded")
  form <- if (is_form) parse_urlencoded(rawToChar(body)) else list()
  if (!is.null(form$json)) return(parse_json_text(form$json, "the form field json"))
  query_string <- req$QUERY_STRING %||% ""
  if (nzchar(query_string)) {
    query <- parse_urlencoded(sub("^[?]", "", query_string))
    if (!is.null(query$json)) return(parse_json_text(query$json, "the query parameter json"))
  }
  if (!startsWith(content_type, "application/json") || length(body) == 0) bad_data("Can't find JSON in data")
  text <- rawToChar(body)
  Encoding(text) <- "UTF-8"
  value <- tryCatch(parse_json_string(text), error = function(e) NULL)
  if (is.null(value)) bad_data("Can't find JSON in data")
  value
}

# --- SeldonMessage -> R -------------------------------------------------------------------------

to_json <- function(value) {
  as.character(jsonlite::toJSON(value,
    auto_unbox = TRUE, always_decimal = TRUE, digits = NA, null = "null", na = "null",
    dataframe = "values", matrix = "rowmajor"
  ))
}

as_is <- function(x) { # I(x) for an unclassed vector
  class(x) <- "AsIs"
  x
}

is_object <- function(x) is.list(x) && !is.null(names(x)) && !is.data.frame(x)
is_scalar <- function(x) !is.list(x) && !is.null(x) && length(x) == 1

# An atomic vector from a list of JSON scalars: logical, integer, double or (mixed) character.
simplify_scalars <- function(items) {
  if (length(items) == 0) return(numeric(0))
  items <- lapply(items, function(v) if (is.null(v)) NA else v)
  types <- vapply(items, typeof, "")
  if (all(types == "logical")) return(unlist(items))
  if (all(types %in% c("integer", "logical")) && all(types == "integer" | is.na(unlist(items)))) {
    return(as.integer(unlist(items)))
  }
  if (all(types %in% c("integer", "double", "logical"))) return(as.numeric(unlist(items)))
  vapply(items, function(v) if (is.na(v)) NA_character_ else as.character(v), "")
}

# A data.frame of a matrix's columns (what as.data.frame does, without its checks: the hot path).
matrix_to_frame <- function(m, names) {
  columns <- if (nrow(m) == 1) as.list(m) else lapply(seq_len(ncol(m)), function(j) m[, j])
  new_frame(columns, nrow(m), names)
}

# A data.frame of `columns` (a list of equally long vectors), `nrow` rows, named by `names` (else t:0, ...).
new_frame <- function(columns, nrow, names) {
  attributes(columns) <- list(
    names = column_names(length(columns), names), class = "data.frame", row.names = c(NA_integer_, -nrow)
  )
  columns
}

DEFAULT_COLUMN_NAMES <- paste0("t:", 0:255)

column_names <- function(n, names) {
  if (length(names) == n && n > 0) return(unlist(names))
  if (n <= length(DEFAULT_COLUMN_NAMES)) DEFAULT_COLUMN_NAMES[seq_len(n)] else paste0("t:", seq_len(n) - 1L)
}

rows_to_frame <- function(rows, names) {
  ncol <- length(rows[[1]])
  columns <- lapply(seq_len(ncol), function(j) simplify_scalars(lapply(rows, `[[`, j)))
  names(columns) <- column_names(ncol, names)
  frame <- as.data.frame(columns, stringsAsFactors = FALSE, optional = TRUE)
  if (ncol == 0) frame <- data.frame(row.names = seq_along(rows))
  frame
}

# Whether nested lists form an n-dimensional array: at every level either no element is a list, or
# all are, of one length (numpy's rule: [[1, [2]], [3, 4]] is a 400 in the Python wrapper too).
rectangular <- function(x) {
  inner <- vapply(x, is.list, TRUE)
  if (!any(inner)) return(TRUE)
  if (!all(inner) || any(lengths(x) != length(x[[1]]))) return(FALSE)
  all(vapply(x, rectangular, TRUE))
}

decode_ndarray <- function(value, names) {
  if (!is.list(value)) return(value)
  if (length(value) == 0) return(numeric(0))
  # Fast path: rows of numbers (or booleans) of one length, checked with vectorised base functions.
  ncol <- length(value[[1]])
  rows_of_scalars <- ncol > 0 && is.list(value[[1]]) && !any(vapply(value[[1]], is.list, TRUE)) &&
    all(vapply(value, is.list, TRUE)) && all(lengths(value) == ncol)
  if (rows_of_scalars) {
    flat <- unlist(value, use.names = FALSE)
    if ((is.numeric(flat) || is.logical(flat)) && length(flat) == ncol * length(value)) {
      if (length(value) == 1) return(new_frame(as.list(flat), 1L, names))
      return(matrix_to_frame(matrix(flat, ncol = ncol, byrow = TRUE), names))
    }
  }
  if (all(vapply(value, function(v) !is.list(v), TRUE))) return(simplify_scalars(value))
  lengths <- vapply(value, length, 0L)
  flat_rows <- all(vapply(value, function(row) is.list(row) && all(vapply(row, function(v) !is.list(v), TRUE)), TRUE))
  if (flat_rows && all(lengths == lengths[1])) return(rows_to_frame(value, names))
  if (flat_rows || !all(vapply(value, is.list, TRUE)) || !all(lengths == lengths[1]) || !rectangular(value)) {
    bad_data("data.ndarray is ragged: every row must have the same length and depth")
  }
  simplified <- tryCatch(jsonlite::fromJSON(to_json(value), simplifyVector = TRUE), error = function(e) value)
  if (is.array(simplified)) simplified else value
}

decode_tensor <- function(tensor, names) {
  if (!is_object(tensor)) bad_data("data.tensor must be an object with shape and values")
  shape <- tensor$shape %||% list()
  values <- tensor$values %||% list()
  is_size <- function(s) is.numeric(s) && length(s) == 1 && s >= 0 && s == round(s)
  if (!is.list(shape) || !all(vapply(shape, is_size, TRUE))) {
    bad_data("data.tensor.shape must be a list of non-negative integers")
  }
  if (!is.list(values) || !all(vapply(values, function(v) is.numeric(v) && length(v) == 1, TRUE))) {
    bad_data("data.tensor.values must be a list of numbers")
  }
  shape <- as.integer(unlist(shape))
  values <- simplify_scalars(values)
  if (prod(shape) != length(values)) {
    bad_data(sprintf(
      "data.tensor: shape [%s] does not fit its %d values", paste(shape, collapse = ", "), length(values)
    ))
  }
  switch(as.character(min(length(shape), 3L)),
    "0" = values,
    "1" = values,
    "2" = matrix_to_frame(matrix(values, nrow = shape[1], ncol = shape[2], byrow = TRUE), names),
    aperm(array(values, rev(shape)))
  )
}

#' Decode one SeldonMessage (a parsed JSON object) into what the user's function gets.
#'
#' @param msg the message, a named list.
#' @param feedback_part TRUE for the request/truth of a Feedback, which are read from `data` only.
#' @return list(x = the R value, kind = "tensor" | "ndarray" | "jsonData" | "strData" | "binData",
#'   meta = the request's meta (a list) or NULL). Signals a 400 for a message of no known kind.
decode_message <- function(msg, feedback_part = FALSE) {
  if (!is_object(msg) || !any(c("data", "jsonData", "strData", "binData") %in% names(msg))) {
    if (feedback_part) return(list(x = numeric(0), kind = "none", meta = NULL))
    bad_data(paste("Invalid request data type:", to_json(msg)))
  }
  meta <- msg$meta
  if ("data" %in% names(msg)) {
    data <- msg$data
    if (!is.list(data) || (length(data) > 0 && is.null(names(data)))) {
      bad_data("data must be an object (names and tensor or ndarray)")
    }
    names <- data$names %||% list()
    if (!is.null(data$tensor)) return(list(x = decode_tensor(data$tensor, names), kind = "tensor", meta = meta))
    if ("ndarray" %in% names(data)) return(list(x = decode_ndarray(data$ndarray, names), kind = "ndarray", meta = meta))
    if (!is.null(data$tftensor)) {
      bad_data("data.tftensor is not supported by the R wrapper: send data.tensor or data.ndarray")
    }
    return(list(x = numeric(0), kind = "ndarray", meta = meta))
  }
  if (feedback_part) return(list(x = numeric(0), kind = "none", meta = meta))
  if ("jsonData" %in% names(msg)) return(list(x = msg$jsonData, kind = "jsonData", meta = meta))
  if ("strData" %in% names(msg)) {
    if (!is.character(msg$strData)) bad_data("strData must be a string")
    return(list(x = msg$strData, kind = "strData", meta = meta))
  }
  if (!is.character(msg$binData)) bad_data("binData must be a base64 string")
  bytes <- tryCatch(jsonlite::base64_dec(msg$binData), error = function(e) bad_data("binData is not valid base64"))
  list(x = bytes, kind = "binData", meta = meta)
}

# --- R -> SeldonMessage -------------------------------------------------------------------------

is_numeric_value <- function(x) {
  if (is.data.frame(x)) return(ncol(x) == 0 || all(vapply(x, function(col) is.numeric(col) && !is.factor(col), TRUE)))
  is.numeric(x) && !is.factor(x)
}

output_names <- function(x) {
  dims <- if (is.data.frame(x)) c(nrow(x), ncol(x)) else dim(x)
  if (length(dims) < 2) return(I(character(0)))
  given <- if (is.data.frame(x)) names(x) else colnames(x)
  I(if (!is.null(given)) given else column_names(dims[2], NULL))
}

row_major_values <- function(x) {
  if (is.data.frame(x)) {
    if (ncol(x) == 0) return(numeric(0))
    return(as.vector(t(as.matrix(x))))
  }
  if (length(dim(x)) >= 2) return(as.vector(aperm(x)))
  as.vector(x)
}

ndarray_value <- function(x) {
  if (is.data.frame(x)) {
    if (ncol(x) == 0) return(rep(list(I(list())), nrow(x)))
    return(x) # the JSON writer writes factors as strings and no row names
  }
  if (is.factor(x)) x <- as.character(x)
  if (is.array(x)) {
    dimnames(x) <- NULL
    return(x)
  }
  I(unname(x))
}

#' Encode what a user function returned as a SeldonMessage payload (without meta).
#'
#' @param out the user's value (see the top of this file).
#' @param request_kind the kind of the request it answers (`decode_message()`'s `kind`): a numeric
#'   array answers a tensor request as a tensor, an ndarray request as an ndarray, any other
#'   request as a tensor (the Python wrapper's rule); a non-numeric one is always an ndarray.
#' @return a named list with one of data, jsonData, strData, binData. Signals a 400 for a value
#'   of no known kind (NULL, a function, ...).
encode_payload <- function(out, request_kind) {
  if (request_kind == "ndarray" && is.data.frame(out) && length(out) > 0) { # the common answer, first
    return(list(data = list(names = as_is(names(out) %||% column_names(length(out), NULL)), ndarray = out)))
  }
  if (is.raw(out)) return(list(binData = jsonlite::base64_enc(out)))
  if (is.character(out) && length(out) == 1 && is.null(dim(out)) && is.null(names(out))) return(list(strData = out))
  if (is.list(out) && !is.data.frame(out) && !is.null(names(out))) return(list(jsonData = out))
  if (is.list(out) && !is.data.frame(out)) {
    simplified <- if (all(vapply(out, is_scalar, TRUE))) {
      simplify_scalars(out)
    } else {
      tryCatch(jsonlite::fromJSON(to_json(out), simplifyVector = TRUE), error = function(e) out)
    }
    if (is.list(simplified) && !is.data.frame(simplified)) {
      return(list(data = list(names = I(character(0)), ndarray = simplified)))
    }
    out <- simplified
  }
  if (!(is.data.frame(out) || is.atomic(out)) || is.null(out)) {
    bad_data(paste(
      "Unknown data type returned as payload",
      "(must be a data.frame, matrix, array, vector, list, string or raw vector):",
      paste(utils::capture.output(utils::str(out)), collapse = " ")
    ))
  }
  names <- output_names(out)
  if (is_numeric_value(out) && request_kind != "ndarray") {
    shape <- if (is.data.frame(out)) c(nrow(out), ncol(out)) else dim(out) %||% length(out)
    tensor <- list(shape = I(as.integer(shape)), values = I(row_major_values(out)))
    return(list(data = list(names = names, tensor = tensor)))
  }
  list(data = list(names = names, ndarray = ndarray_value(out)))
}
