"""Returns, in its tags, the environment variables set by .s2i/environment, so tests can check
that the image holds them exactly as s2i reads them (literal quotes, no $ expansion)."""
import os

NAMES = ("QUOTED", "SINGLE", "DOLLAR", "HASH", "EQUALS", "SPACED")


class EnvEcho:
    def predict(self, X, features_names):
        return X

    def tags(self):
        return {name: os.environ.get(name) for name in NAMES}
