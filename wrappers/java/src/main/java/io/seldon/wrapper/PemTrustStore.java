package io.seldon.wrapper;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;

/**
 * {@code java io.seldon.wrapper.PemTrustStore BUNDLE.pem OUT.p12}: every certificate of a PEM
 * bundle into a PKCS12 trust store (password {@code changeit}), in one JVM run (keytool imports
 * one certificate per run). The builder's assemble uses it to trust a build-time CA bundle.
 */
public final class PemTrustStore {
  private PemTrustStore() {}

  /** Convert; exits 1 with one ERROR: line when the bundle holds no certificate. */
  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("ERROR: usage: PemTrustStore BUNDLE.pem OUT.p12");
      System.exit(2);
    }
    Collection<? extends Certificate> certificates;
    try (InputStream in = Files.newInputStream(Path.of(args[0]))) {
      certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
    }
    if (certificates.isEmpty()) {
      System.err.println("ERROR: " + args[0] + " holds no PEM certificate");
      System.exit(1);
    }
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    int i = 0;
    for (Certificate certificate : certificates) {
      store.setCertificateEntry("ca-" + i++, certificate);
    }
    try (OutputStream out = Files.newOutputStream(Path.of(args[1]))) {
      store.store(out, "changeit".toCharArray());
    }
  }
}
