package org.d4c.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import org.d4c.core.net.HostPort;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.d4c.publisher.mirror.FolderServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "serve", mixinStandardHelpOptions = true,
    description = {"Serves a folder (a `type: local` mirror) over HTTP, read-only, with byte ranges: a BEP 19 web seed.",
        "%nBinds to 127.0.0.1 unless --listen says otherwise. Stops with Ctrl-C.%n"},
    footer = {"", "Examples:", "  ./d4c serve out/mirror", "  ./d4c serve out/mirror --listen 0.0.0.0:8080"})
final class ServeCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "DIR", description = "The folder to serve.")
  Path dir;

  @Option(names = "--listen", defaultValue = "127.0.0.1:8750", paramLabel = "HOST:PORT",
      description = "Address and port (default: ${DEFAULT-VALUE}).")
  HostPort listen;

  @Override
  public Integer call() throws Exception {
    if (!Files.isDirectory(dir)) throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), dir + " is not a folder");
    try (FolderServer s = FolderServer.start(dir, listen.host(), listen.port(), "/")) {
      System.out.println("Serving " + dir + " at " + s.url() + " (Ctrl-C stops)");
      new CountDownLatch(1).await();
    }
    return 0;
  }
}
