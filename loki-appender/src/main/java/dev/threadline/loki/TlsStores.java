package dev.threadline.loki;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/** An SSL context from a trust store (a private CA) and a key store (mutual TLS), or the JVM's defaults. */
final class TlsStores {

  private TlsStores() {
  }

  /**
   * The context for the given stores; {@code null} (the JVM's defaults) when neither is set, or when one cannot be
   * loaded: then a line naming the setting and the file, never the password, is added to {@code problems}.
   */
  static SSLContext sslContext(String trustStore, String trustStoreType, String trustStorePassword, String keyStore,
      String keyStoreType, String keyStorePassword, List<String> problems) {
    if (trustStore == null && keyStore == null) {
      return null;
    }
    try {
      TrustManager[] trust = null;
      if (trustStore != null) {
        KeyStore store = load("trustStore", trustStore, trustStoreType, trustStorePassword);
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        trust = factory.getTrustManagers();
      }
      KeyManager[] keys = null;
      if (keyStore != null) {
        KeyStore store = load("keyStore", keyStore, keyStoreType, keyStorePassword);
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(store, keyStorePassword == null ? new char[0] : keyStorePassword.toCharArray());
        keys = factory.getKeyManagers();
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys, trust, null);
      return context;
    } catch (IllegalArgumentException e) {
      problems.add(e.getMessage());
    } catch (GeneralSecurityException e) {
      problems.add("TLS setup failed: " + e.getClass().getSimpleName());
    }
    return null;
  }

  private static KeyStore load(String setting, String path, String type, String password) {
    try (InputStream in = Files.newInputStream(Path.of(path))) {
      KeyStore store = KeyStore.getInstance(type);
      store.load(in, password == null ? null : password.toCharArray());
      return store;
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      throw new IllegalArgumentException(setting + ": cannot load " + type + " store '" + path + "' ("
          + e.getClass().getSimpleName() + ")");
    }
  }
}
