FROM seldon-python311
ENV MODEL_NAME="MyModel" \
    SERVICE_TYPE="MODEL"
COPY --chown=1001:0 upload/dependencies/src /tmp/src
COPY --chown=1001:0 upload/injections/0/ca.crt /tmp/ca
USER 1001
RUN SELDON_S2I_PHASE=dependencies /usr/libexec/s2i/assemble
COPY --chown=1001:0 upload/src /tmp/src
RUN SELDON_S2I_PHASE=application /usr/libexec/s2i/assemble
RUN set -e; truncate -s0 /tmp/ca/ca.crt
CMD ["/usr/libexec/s2i/run"]
