package org.d4c.monitor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import org.d4c.catalog.status.StatusSignature;

/**
 * This probe site's Ed25519 key: a file holding the base64 PKCS#8 private key (and, on its second line, the public
 * key), created readable by its owner only on first start. The public half goes into the catalog's status-keys.json.
 */
final class Keys {
  private Keys() {}

  static KeyPair load(Path file) {
    try {
      if (Files.exists(file)) {
        var lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
        if (lines.size() < 2) throw new IllegalArgumentException(file + ": expected the private key and the public key, one per line");
        PrivateKey priv = StatusSignature.privateKey(lines.get(0));
        PublicKey pub = StatusSignature.publicKey(lines.get(1));
        return new KeyPair(pub, priv);
      }
      KeyPair k = StatusSignature.generate();
      Files.createDirectories(file.toAbsolutePath().getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".part");
      Files.deleteIfExists(tmp);
      Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(tmp, StatusSignature.encode(k.getPrivate()) + "\n" + StatusSignature.encode(k.getPublic()) + "\n", StandardCharsets.US_ASCII);
      Files.move(tmp, file);
      return k;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create the signing key " + file + ": " + e.getMessage(), e);
    }
  }
}
