package org.d4c.transforms.rejects;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;

/** Deterministic coder for {@link Reject}. */
public final class RejectCoder extends CustomCoder<Reject> {
  private static final long serialVersionUID = 1L;
  private static final NullableCoder<String> TEXT = NullableCoder.of(StringUtf8Coder.of());

  public static RejectCoder of() {
    return new RejectCoder();
  }

  @Override
  public void encode(Reject r, OutputStream out) throws IOException {
    VarIntCoder.of().encode(r.source(), out);
    VarLongCoder.of().encode(r.fid(), out);
    StringUtf8Coder.of().encode(r.reason(), out);
    TEXT.encode(r.detail(), out);
    TEXT.encode(r.wkt(), out);
  }

  @Override
  public Reject decode(InputStream in) throws IOException {
    return new Reject(VarIntCoder.of().decode(in), VarLongCoder.of().decode(in), StringUtf8Coder.of().decode(in),
        TEXT.decode(in), TEXT.decode(in));
  }

  @Override
  public void verifyDeterministic() {}

  @Override
  public boolean equals(Object o) {
    return o instanceof RejectCoder;
  }

  @Override
  public int hashCode() {
    return RejectCoder.class.hashCode();
  }
}
