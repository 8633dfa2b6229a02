"""`seldon-s2i deployment`: the walkthrough's Kubernetes step, a SeldonDeployment for our images.

Module map (one job each):
    vocabulary  the operator's words and numbers as data: node/endpoint/parameter types, ports, DNS-1123
    units       a graph unit from an image's environment (through driver.engine) or a source's
                .s2i/environment; -p parameters; names from image references
    manifest    the SeldonDeployment (v1) of a graph of units: pure data
    validate    the CRD's schema (schema/, trimmed, Apache-2.0), unknown fields, the operator's checks
    commands    the `deployment` subcommand (the CLI imports this one module, at dispatch)

It reads images only through the build driver's engine layer and never imports the runtime.
"""
