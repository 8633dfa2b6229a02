# A JSON writer for the wrapper's answers: the shapes the codec builds (named lists, AsIs and
# unnamed lists, data.frames, matrices, atomic vectors) written with vectorised base functions.
# jsonlite::toJSON dispatches S4 methods per element, which was half of a tiny request's time;
# anything else (arrays of 3+ dimensions, dates, S4 objects, ...) still goes to jsonlite.
# Rules, as jsonlite::toJSON(auto_unbox = TRUE, always_decimal = TRUE, digits = NA, null = "null",
# na = "null", dataframe = "values", matrix = "rowmajor"): a length-1 vector is a scalar unless I();
# doubles keep a decimal point (15 significant digits); NA, NaN and infinities are null.

json_strings <- function(x) {
  if (length(x) == 0) return(character(0))
  x <- enc2utf8(as.character(x))
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

escape_controls <- function(s) {
  if (is.na(s)) return(s)
  chars <- strsplit(s, "", fixed = TRUE)[[1]]
  codes <- vapply(chars, function(ch) utf8ToInt(ch)[1], 0L, USE.NAMES = FALSE)
  control <- !is.na(codes) & codes < 32L
  chars[control] <- sprintf("\\u%04x", codes[control])
  paste(chars, collapse = "")
}

json_doubles <- function(x) {
  out <- sprintf("%.15g", x)
  whole <- !grepl("[.eni]", out)
  out[whole] <- paste0(out[whole], ".0")
  out[!is.finite(x)] <- "null"
  out
}

# The JSON texts of an atomic vector's elements.
json_atoms <- function(x) {
  if (is.factor(x)) return(json_strings(as.character(x)))
  switch(typeof(x),
    logical = ifelse(is.na(x), "null", ifelse(x, "true", "false")),
    integer = ifelse(is.na(x), "null", as.character(x)),
    double = json_doubles(x),
    character = json_strings(x),
    NULL
  )
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
      return(paste0("{", paste0(json_strings(keys), ":", values, collapse = ","), "}"))
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
  if (is.null(dims) && is.atomic(x) && !is.object(x) || is.factor(x) || inherits(x, "AsIs") && is.null(dims)) {
    atoms <- json_atoms(unclass_asis(x))
    if (!is.null(atoms)) {
      if (length(atoms) == 1 && !inherits(x, "AsIs")) return(atoms)
      return(json_array(atoms))
    }
  }
  to_json(x)
}

unclass_asis <- function(x) {
  if (inherits(x, "AsIs")) class(x) <- setdiff(class(x), "AsIs")
  x
}

json_frame <- function(frame) {
  if (ncol(frame) == 0) return(json_array(rep("[]", nrow(frame))))
  columns <- lapply(frame, json_atoms)
  if (any(vapply(columns, is.null, TRUE))) return(to_json(frame))
  rows <- do.call(paste, c(columns, sep = ","))
  json_array(paste0("[", rows, "]"))
}
