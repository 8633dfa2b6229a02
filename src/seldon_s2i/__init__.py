"""seldon-s2i: s2i builder images and a Seldon Core v1 microservice runtime.

Code map (the two wings never import each other):
    cli        `seldon-s2i`: parses, then imports one subcommand's module at dispatch
    driver     the build driver (`build`, `usage`, `--as-dockerfile`) on the Docker Engine API
    runtime    the microservice wrapper (`serve`, the images' entry point)
    envfile    the s2i-exact .s2i/environment parser both wings read
    usererror  the one `ERROR: ...` line every subcommand prints for a user's mistake

The version is the distribution's (package metadata, from pyproject.toml): `seldon-s2i --version`.
"""
