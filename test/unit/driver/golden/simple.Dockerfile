FROM seldon-python311
LABEL "io.k8s.display-name"="my-model:0.1" \
      "io.openshift.s2i.build.image"="seldon-python311"
ENV MODEL_NAME="MyModel" \
    PRICE="\$5 \\o/ #1" \
    QUOTED="\"a b\"" \
    SERVICE_TYPE="MODEL"
COPY --chown=1001:0 upload/src /tmp/src
USER 1001
RUN /usr/libexec/s2i/assemble
CMD ["/usr/libexec/s2i/run"]
