"""send_feedback with reward: returns what it received."""
import numpy as np


class Feedback:
    def predict(self, X, features_names):
        return X

    def send_feedback(self, features, feature_names, reward, truth, routing=None):
        return [[float(reward), float(np.asarray(features).size), float(np.asarray(truth).size),
                 -1.0 if routing is None else float(routing)]]
