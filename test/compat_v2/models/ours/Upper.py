class Upper:
    """Strings in (BYTES with content_type str: a list of str), upper-cased strings out."""

    def predict(self, X, names):
        return [text.upper() for text in X]
