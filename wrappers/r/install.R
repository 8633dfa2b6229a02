# Run the app's install.R (assemble, from the app directory) with the repositories of R_REPOS,
# into the user library (R_LIBS_USER, first in .libPaths()). install.packages() only warns when a
# package cannot be downloaded or installed: here that is an error, so the build fails. With the
# previous image's library restored (SELDON_CACHE_RESTORED=1), packages already in it are kept.

repos <- strsplit(Sys.getenv("R_REPOS", "https://cloud.r-project.org"), ",", fixed = TRUE)[[1]]
repo_names <- c("CRAN", if (length(repos) > 1) paste0("R_REPOS", seq_along(repos)[-1]))
options(repos = stats::setNames(trimws(repos), repo_names))
user_library <- Sys.getenv("R_LIBS_USER")
.libPaths(c(user_library, .libPaths()))

if (Sys.getenv("SELDON_CACHE_RESTORED") == "1") {
  install.packages <- function(pkgs, ...) {
    kept <- pkgs[pkgs %in% rownames(utils::installed.packages(lib.loc = user_library))]
    if (length(kept) > 0) cat("---> Kept from the previous image:", kept, "\n")
    if (length(setdiff(pkgs, kept)) > 0) utils::install.packages(setdiff(pkgs, kept), ...)
    invisible(NULL)
  }
}

FAILURES <- "non-zero exit status|is not available|download of package .* failed|unable to access index|cannot open URL"
withCallingHandlers(
  source("install.R", echo = TRUE, max.deparse.length = Inf),
  warning = function(w) {
    if (grepl(FAILURES, conditionMessage(w))) stop(conditionMessage(w), call. = FALSE)
  }
)
