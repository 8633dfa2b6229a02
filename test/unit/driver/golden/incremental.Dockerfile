FROM app:1 AS cached
COPY --chown=1001:0 upload/scripts/save-artifacts /opt/s2i/scripts/save-artifacts
USER 1001
RUN if [ -s /opt/s2i/scripts/save-artifacts ]; then /opt/s2i/scripts/save-artifacts > /tmp/artifacts.tar; else touch /tmp/artifacts.tar; fi
FROM builder:1
LABEL "a"="first" \
      "z"="last"
COPY --chown=1001:0 --from=cached /tmp/artifacts.tar /tmp/artifacts.tar
COPY --chown=1001:0 upload/scripts /opt/s2i/scripts
COPY --chown=1001:0 upload/src /opt/s2i/src
COPY --chown=1001:0 upload/injections/0 /etc/secrets/
USER 1001
RUN if [ -s /tmp/artifacts.tar ]; then mkdir -p /opt/s2i/artifacts; tar -xf /tmp/artifacts.tar -C /opt/s2i/artifacts; fi && \
    rm /tmp/artifacts.tar
RUN /opt/s2i/scripts/assemble
RUN set -e; truncate -s0 /etc/secrets/token
CMD ["/opt/s2i/scripts/run"]
