"""Reads the request meta (None over REST when absent) and reports what it saw."""


class MetaAware:
    def predict(self, X, names, meta=None):
        return {
            "meta_type": type(meta).__name__,
            "meta": meta,
            "names": list(names) if names is not None else None,
            "x_type": type(X).__name__,
            "x_dtype": str(getattr(X, "dtype", "")),
            "x_shape": list(getattr(X, "shape", [])),
        }

    def transform_input(self, X, names, meta=None):
        return [[len((meta or {}).get("tags", {}))]]
