# A JSON writer for the wrapper's answers: the shapes the codec builds (named lists, AsIs and
# unnamed lists, data.frames, matrices, atomic vectors) written with vectorised base functions.
# jsonlite::toJSON dispatches S4 methods per element, which was half of a tiny request's time;
# anything else (arrays of 3+ dimensions, dates, S4 objects, ...) still goes to jsonlite.
# Rules, as jsonlite::toJSON(auto_unbox = TRUE, always_decimal = TRUE, digits = NA, null = "null",
# na = "null", dataframe = "values", matrix = "rowmajor"): a length-1 vector is a scalar unless I();
# doubles keep a decimal point (15 significant digits); NA, NaN and infinities are null.
# Strings and numbers are written by jsonlite's own C routines (those toJSON ends in: C_escape_chars,
# R_num_to_char), called directly: ~1 us where R code took 5-15 us. Should a jsonlite version not
# have them, the R versions below (same output) are used.

jsonlite_routine <- function(name) {
  routine <- get0(name, envir = asNamespace("jsonlite"), inherits = FALSE)
  if (inherits(routine, "NativeSymbolInfo")) routine
}
ESCAPE_CHARS <- jsonlite_routine("C_escape_chars")
NUM_TO_CHAR <- jsonlite_routine("R_num_to_char")

json_strings <- function(x) {
  if (length(x) == 0) return(character(0))
  x <- enc2utf8(as.character(x))
  if (!is.null(ESCAPE_CHARS)) return(with_nulls(.Call(ESCAPE_CHARS, x), x))
  json_strings_r(x)
}

json_strings_r <- function(x) {
  # The common case, printable ASCII without a quote or backslash, needs no escaping (one regex).
  if (!anyNA(x) && !any(grepl("[^ -~]|[\"\\\\]", x, useBytes = TRUE))) return(paste0("\"", x, "\""))
  x <- gsub("\\", "\\\\", x, fixed = TRUE)
  x <- gsub("\"", "\\\"", x, fixed = TRUE)
  if (any(grepl("[\x01-\x1f]", x, useBytes = TRUE))) {
    x <- gsub("\n", "\\n", x, fixed = TRUE)
    x <- gsub("\r", "\\r", x, fixed = TRUE)
    x <- gsub("\t", "\\t", x, fixed = TRUE)
    x <- vapply(x, escape_controls, "", USE.NAMES = FALSE)
  }
  out <- paste0("\"", x, "\"")
  out[is.na(x)] <- "null"
  out
}

# The keys of the wrapper's own answers, written once (an object's keys are looked up here first).
KNOWN_KEYS <- c(
  "data", "meta", "names", "ndarray", "tensor", "shape", "values", "jsonData", "strData", "binData", "puid",
  "tags", "metrics", "requestPath", "routing", "status", "code", "info", "reason", "key", "type", "value"
)
KNOWN_KEYS_JSON <- stats::setNames(paste0("\"", KNOWN_KEYS, "\""), KNOWN_KEYS)

json_keys <- function(keys) {
  known <- KNOWN_KEYS_JSON[keys]
  if (anyNA(known)) json_strings(keys) else known
}

escape_controls <- function(s) {
  if (is.na(s)) return(s)
  chars <- strsplit(s, "", fixed = TRUE)[[1]]
  codes <- vapply(chars, function(ch) utf8ToInt(ch)[1], 0L, USE.NAMES = FALSE)
  control <- !is.na(codes) & codes < 32L
  chars[control] <- sprintf("\\u%04x", codes[control])
  paste(chars, collapse = "")
}

json_doubles <- function(x) {
  if (!is.null(NUM_TO_CHAR)) return(.Call(NUM_TO_CHAR, x, NA_integer_, FALSE, FALSE, TRUE))
  json_doubles_r(x)
}

json_doubles_r <- function(x) {
  out <- sprintf("%.15g", x)
  whole <- !grepl(".", out, fixed = TRUE) & !grepl("e", out, fixed = TRUE) & is.finite(x)
  out[whole] <- paste0(out[whole], ".0")
  out[!is.finite(x)] <- "null"
  out
}

# The JSON texts of an atomic vector's elements.
json_atoms <- function(x) {
  if (is.factor(x)) return(json_strings(as.character(x)))
  switch(typeof(x),
    logical = with_nulls(c("false", "true")[x + 1L], x),
    integer = with_nulls(as.character(x), x),
    double = json_doubles(x),
    character = json_strings(x),
    NULL
  )
}

with_nulls <- function(atoms, x) {
  atoms[is.na(x)] <- "null"
  atoms
}

json_array <- function(items) paste0("[", paste(items, collapse = ","), "]")

#' Write an R value as JSON text (one string). See the rules at the top of this file.
write_json <- function(x) {
  if (is.null(x)) return("null")
  if (is.data.frame(x)) return(json_frame(x))
  if (is.list(x)) {
    keys <- names(x)
    if (length(x) == 0) return(if (!is.null(keys) && !inherits(x, "AsIs")) "{}" else "[]")
    if (!is.null(keys) && !inherits(x, "AsIs")) {
      values <- vapply(x, write_json, "", USE.NAMES = FALSE)
      return(paste0("{", paste0(json_keys(keys), ":", values, collapse = ","), "}"))
    }
    return(json_array(vapply(x, write_json, "", USE.NAMES = FALSE)))
  }
  dims <- dim(x)
  if (length(dims) == 2 && is.atomic(x) && all(dims > 0)) {
    atoms <- json_atoms(x)
    if (!is.null(atoms)) {
      atoms <- matrix(atoms, nrow = dims[1])
      return(json_array(apply(atoms, 1, json_array)))
    }
  }
  asis <- inherits(x, "AsIs")
  if (is.factor(x) || is.null(dims) && (asis || is.atomic(x) && !is.object(x))) {
    atoms <- json_atoms(if (asis) unclass_asis(x) else x)
    if (!is.null(atoms)) {
      if (length(atoms) == 1 && !asis) return(atoms)
      return(json_array(atoms))
    }
  }
  to_json(x)
}

#' Write an answer body (component.R's `answer()`, or an error status) as JSON text: write_json(),
#' with the envelope of the common answer {"data":{"names":[...],"ndarray"|"tensor":...},"meta":...}
#' written directly (each level of write_json's recursion costs a few microseconds).
write_answer <- function(body) {
  if (!identical(names(body), c("data", "meta"))) return(write_json(body))
  data <- body$data
  keys <- names(data)
  if (length(keys) != 2 || keys[1] != "names" || !is.character(data$names) || !(keys[2] %in% c("ndarray", "tensor"))) {
    return(write_json(body))
  }
  paste0(
    "{\"data\":{\"names\":", json_array(json_strings(data$names)), ",\"", keys[2], "\":", write_json(data[[2]]),
    "},\"meta\":", write_json(body$meta), "}"
  )
}

unclass_asis <- function(x) {
  if (inherits(x, "AsIs")) class(x) <- class(x)[class(x) != "AsIs"] # (setdiff costs ~50 us in R 4.5)
  x
}

json_frame <- function(frame) {
  if (length(frame) == 0) return(json_array(rep("[]", nrow(frame))))
  if (.row_names_info(frame, 2L) == 1L && all(vapply(frame, is.double, TRUE))) { # one row of numbers
    return(paste0("[[", paste(json_doubles(unlist(frame, use.names = FALSE)), collapse = ","), "]]"))
  }
  columns <- lapply(frame, json_atoms)
  if (any(vapply(columns, is.null, TRUE))) return(to_json(frame))
  rows <- do.call(paste, c(columns, sep = ","))
  json_array(paste0("[", rows, "]"))
}
