from setuptools import setup

# The dependency is declared only here: the build must install it from setup.py.
setup(name="legacy-model", version="1.0.0", py_modules=["Legacy"], install_requires=["six>=1.16"])
