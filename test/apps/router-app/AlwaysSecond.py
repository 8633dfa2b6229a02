"""A router that sends every request to its second child (index 1)."""


class AlwaysSecond:
    def route(self, features, feature_names):
        return 1
