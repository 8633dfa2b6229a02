"""The walkthrough's model (seed article): decodes the binData image and returns it as an array."""
import io

import numpy as np
from PIL import Image


class MyModel:
    def __init__(self):
        print("Initializing")

    def predict(self, X, features_names):
        image = Image.open(io.BytesIO(X)).convert("RGB")
        return np.array(image)
