package dev.threadline.release;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

/** A throwaway signing key in a GnuPG home of its own, and signature checks with it. */
record Gpg(Path home, String fingerprint) {

  /** A new key without a passphrase, or null (with a notice) when gpg is not installed. */
  static Gpg throwawayKey(Path home) throws IOException {
    try {
      if (ChildBuild.run(Path.of("."), List.of("gpg", "--version"), null).exit() != 0) {
        throw new IOException("gpg --version failed");
      }
    } catch (IOException e) {
      System.out.println("ReleaseBundleTest: gpg is not installed, so the bundle's signatures are not checked ("
          + e.getMessage() + ")");
      return null;
    }
    Files.createDirectories(home, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Map<String, String> env = Map.of("GNUPGHOME", home.toString());
    ChildBuild.run(home, List.of("gpg", "--batch", "--pinentry-mode", "loopback", "--passphrase", "",
        "--quick-gen-key", "Threadline release test <release-test@threadline.invalid>", "ed25519", "sign", "1d"),
        env).requireSuccess();
    String listing = ChildBuild.run(home, List.of("gpg", "--batch", "--with-colons", "--list-secret-keys"), env)
        .requireSuccess().output();
    String fingerprint = listing.lines().filter(l -> l.startsWith("fpr:")).map(l -> l.split(":")[9])
        .findFirst().orElseThrow(() -> new AssertionError("no key in:\n" + listing));
    return new Gpg(home, fingerprint);
  }

  /** Fails unless {@code signature} is a good signature of {@code content} by this key. */
  void verify(byte[] signature, byte[] content, Path scratch) throws IOException {
    Files.createDirectories(scratch);
    Path file = Files.write(scratch.resolve("file"), content);
    Path asc = Files.write(scratch.resolve("file.asc"), signature);
    ChildBuild.Result result = ChildBuild.run(scratch, List.of("gpg", "--batch", "--status-fd", "1", "--verify",
        asc.toString(), file.toString()), Map.of("GNUPGHOME", home.toString()));
    if (result.exit() != 0 || !result.output().contains("VALIDSIG " + fingerprint)) {
      throw new AssertionError("bad signature:\n" + result.output());
    }
  }
}
