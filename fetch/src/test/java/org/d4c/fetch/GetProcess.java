package org.d4c.fetch;

import java.nio.file.Path;

/** {@code d4c get} in a process of its own, for the test that kills it: CATALOG ITEM TO. */
public final class GetProcess {
  private GetProcess() {}

  public static void main(String[] args) {
    Fetch.Summary s = Fetch.of(args[0]).item(args[1]).to(Path.of(args[2])).call();
    System.out.println(s.toJson());
  }
}
