package org.d4c.catalog.status;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import org.d4c.core.hash.Hashing;
import org.d4c.core.json.CanonicalJson;

/**
 * Ed25519 (from the JDK) over the canonical JSON of a document without its {@code signature} field. Keys travel as
 * base64 of their standard encodings (X.509 SubjectPublicKeyInfo, PKCS#8); a key id is the first 16 hex digits of
 * the sha256 of the public key's encoding. The same signing is used for status.json and the report log's checkpoints.
 */
public final class StatusSignature {
  public static final String ALG = "Ed25519";
  public static final String FIELD = "signature";

  private StatusSignature() {}

  public static KeyPair generate() {
    try {
      return KeyPairGenerator.getInstance(ALG).generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK has no Ed25519", e);
    }
  }

  public static String keyId(PublicKey key) {
    return Hashing.sha256(key.getEncoded()).substring(0, 16);
  }

  public static String encode(PublicKey key) {
    return Base64.getEncoder().encodeToString(key.getEncoded());
  }

  public static String encode(PrivateKey key) {
    return Base64.getEncoder().encodeToString(key.getEncoded());
  }

  public static PublicKey publicKey(String base64) {
    try {
      return KeyFactory.getInstance(ALG).generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64.trim())));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException("not a base64 Ed25519 public key: " + e.getMessage());
    }
  }

  public static PrivateKey privateKey(String base64) {
    try {
      return KeyFactory.getInstance(ALG).generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64.trim())));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException("not a base64 Ed25519 private key (PKCS#8): " + e.getMessage());
    }
  }

  /** The bytes that are signed: the canonical JSON of {@code doc} without its signature field. */
  public static byte[] signedBytes(ObjectNode doc) {
    ObjectNode copy = doc.deepCopy();
    copy.remove(FIELD);
    return CanonicalJson.toBytes(copy);
  }

  /** Adds (or replaces) {@code signature: {alg, key_id, value}} in {@code doc} and returns it. */
  public static ObjectNode sign(ObjectNode doc, KeyPair key) {
    byte[] sig = rawSign(signedBytes(doc), key.getPrivate());
    doc.putObject(FIELD).put("alg", ALG).put("key_id", keyId(key.getPublic())).put("value", Base64.getEncoder().encodeToString(sig));
    return doc;
  }

  public static byte[] rawSign(byte[] bytes, PrivateKey key) {
    try {
      Signature s = Signature.getInstance(ALG);
      s.initSign(key);
      s.update(bytes);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign: " + e.getMessage(), e);
    }
  }

  public static boolean rawVerify(byte[] bytes, byte[] signature, PublicKey key) {
    try {
      Signature s = Signature.getInstance(ALG);
      s.initVerify(key);
      s.update(bytes);
      return s.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /** True when {@code doc} carries a valid Ed25519 signature by {@code key}. */
  public static boolean verify(ObjectNode doc, PublicKey key) {
    var sig = doc.path(FIELD);
    if (!ALG.equals(sig.path("alg").asText()) || !keyId(key).equals(sig.path("key_id").asText())) return false;
    byte[] value;
    try {
      value = Base64.getDecoder().decode(sig.path("value").asText());
    } catch (IllegalArgumentException e) {
      return false;
    }
    return rawVerify(signedBytes(doc), value, key);
  }
}
