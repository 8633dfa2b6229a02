"""An s2i-compatible build driver on the Docker Engine API.

Module map (one job each):
    config      BuildConfig: every `seldon-s2i build` option in one dataclass
    reference   the Docker image reference grammar: TAG is checked before anything runs
    errors      BuildError: a user-facing failure (one line + exit code); UsageError exits 2
    console     how the driver talks to the user (info, warnings, assemble output)
    environment the build environment: .s2i/environment, then -e, then -E
    gitsource   git facts (dirty tree, commit labels) and clones for --ref / remote URLs
    source      produce upload/src: copy or clone, --context-dir, --exclude
    ignore      .s2iignore (non-recursive globs, `#` comments, `!` re-includes)
    scripts     per-script lookup: -s, .s2i/bin, image labels
    builder     facts read from the builder image: destination, assemble user, labels
    labels      generated io.openshift.s2i.build.* labels, merge, 10 KiB limit
    tarstream   the PAX tar streamed into the assemble container; vetting of the artifacts
    engine      the Docker engine: connect, pull policies, run containers, commit
    engine_build `build` and `usage` on the engine (the classic s2i commit path)
    dockerfile  `build --as-dockerfile`: a Dockerfile plus upload/ context
    commands    the `build` and `usage` subcommands (the CLI imports this one module, at dispatch)
"""
